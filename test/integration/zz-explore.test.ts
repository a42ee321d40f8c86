import { it, expect } from 'vitest';
import { getTestbed } from '../testbed/testbed.js';
import { runTsdock } from '../helpers/tsdock.js';
it('pull', async () => {
  const tb = getTestbed();
  const env = { ...process.env, TSDOCK_ROOT: '/tmp/explore-root', TSDOCK_CONFIG: '/tmp/explore-config.json', TSDOCK_RUN_ROOT: '/run/tsdock-explore' };
  const r = await runTsdock(['pull', `${tb.registries.open.addr}/library/busybox:latest`], env);
  console.log(r, tb.registries.open.addr);
  const r2 = await runTsdock(['tag', `${tb.registries.open.addr}/library/busybox:latest`, 'busybox:latest'], env);
  expect(r2.code).toBe(0);
});
