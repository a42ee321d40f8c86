import { describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { allocateHostPorts, parseCniDnatRules, PortAllocatedError } from '../../src/core/network/host-ports.js';

const ID = '11dab09b97fd8d8457e5a20a633d123eca9a578e8c28ad2fce12e4637324c16c';

// `iptables -t nat -S` on this machine (Debian 12, portmap 1.1.1, iptables-nft) for one container
// run with -p 127.0.0.1:38123:80 -p 38124:81/udp -p 38125-38126:90-91.
const RULES = `-P PREROUTING ACCEPT
-N CNI-0448ece8faaed6c9a1de4f01
-N CNI-DN-0448ece8faaed6c9a1de4
-N CNI-HOSTPORT-DNAT
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -s 10.99.0.43/32 -m comment --comment "name: \\"bridge\\" id: \\"${ID}\\"" -j CNI-0448ece8faaed6c9a1de4f01
-A CNI-0448ece8faaed6c9a1de4f01 ! -d 224.0.0.0/4 -m comment --comment "name: \\"bridge\\" id: \\"${ID}\\"" -j MASQUERADE
-A CNI-DN-0448ece8faaed6c9a1de4 -s 10.99.0.0/16 -d 127.0.0.1/32 -p tcp -m tcp --dport 38123 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-0448ece8faaed6c9a1de4 -s 127.0.0.1/32 -d 127.0.0.1/32 -p tcp -m tcp --dport 38123 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-0448ece8faaed6c9a1de4 -d 127.0.0.1/32 -p tcp -m tcp --dport 38123 -j DNAT --to-destination 10.99.0.43:80
-A CNI-DN-0448ece8faaed6c9a1de4 -s 10.99.0.0/16 -p udp -m udp --dport 38124 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-0448ece8faaed6c9a1de4 -p udp -m udp --dport 38124 -j DNAT --to-destination 10.99.0.43:81
-A CNI-DN-0448ece8faaed6c9a1de4 -p tcp -m tcp --dport 38125 -j DNAT --to-destination 10.99.0.43:90
-A CNI-DN-0448ece8faaed6c9a1de4 -p tcp -m tcp --dport 38126 -j DNAT --to-destination 10.99.0.43:91
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"bridge\\" id: \\"${ID}\\"" -m multiport --dports 38123,38125,38126 -j CNI-DN-0448ece8faaed6c9a1de4
-A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \\"bridge\\" id: \\"${ID}\\"" -m multiport --dports 38124 -j CNI-DN-0448ece8faaed6c9a1de4
-A CNI-DN-ffffffffffffffffffffffff -p tcp -m tcp --dport 9000 -j DNAT --to-destination 10.88.0.2:80
`;

describe('parseCniDnatRules', () => {
  it('reads the host ports of the CNI-DN-* DNAT rules, with their host address and container', () => {
    expect(parseCniDnatRules(RULES)).toEqual([
      { hostIp: '127.0.0.1', hostPort: 38123, protocol: 'tcp', containerId: ID },
      { hostIp: '', hostPort: 38124, protocol: 'udp', containerId: ID },
      { hostIp: '', hostPort: 38125, protocol: 'tcp', containerId: ID },
      { hostIp: '', hostPort: 38126, protocol: 'tcp', containerId: ID },
      // A chain no CNI-HOSTPORT-DNAT rule names (another runtime's, a leftover) still holds its port.
      { hostIp: '', hostPort: 9000, protocol: 'tcp' },
    ]);
  });

  it('finds nothing in a nat table without portmap rules', () => {
    expect(parseCniDnatRules('-P PREROUTING ACCEPT\n-P OUTPUT ACCEPT\n')).toEqual([]);
  });
});

/** A TCP port free on 127.0.0.1 right now, and the next one free too. */
async function freePair(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    if (port >= 65535) continue;
    const next = await new Promise<boolean>((resolve) => {
      const s = createServer().once('error', () => resolve(false)).listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (next) return port;
  }
}

describe('allocateHostPorts against ports mapped by DNAT rules', () => {
  it('refuses a fixed port a rule maps (on its address or every address), with Docker\'s message', async () => {
    const port = await freePair();
    const req = { hostIp: '127.0.0.1', hostPort: port, hostPortEnd: port, containerPort: 80, protocol: 'tcp' as const };
    await expect(allocateHostPorts([req], [{ hostIp: '127.0.0.1', hostPort: port, protocol: 'tcp' }])).rejects.toThrow(new PortAllocatedError(`Bind for 127.0.0.1:${port} failed: port is already allocated`));
    await expect(allocateHostPorts([req], [{ hostIp: '', hostPort: port, protocol: 'tcp' }])).rejects.toThrow(PortAllocatedError);
    // Another address, another protocol: free.
    expect(await allocateHostPorts([req], [{ hostIp: '127.0.0.2', hostPort: port, protocol: 'tcp' }, { hostIp: '', hostPort: port, protocol: 'udp' }])).toEqual([{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, protocol: 'tcp' }]);
  });

  it('a range skips the ports rules map', async () => {
    const port = await freePair();
    const req = { hostIp: '127.0.0.1', hostPort: port, hostPortEnd: port + 1, containerPort: 80, protocol: 'tcp' as const };
    expect(await allocateHostPorts([req], [{ hostIp: '', hostPort: port, protocol: 'tcp' }])).toEqual([{ hostIp: '127.0.0.1', hostPort: port + 1, containerPort: 80, protocol: 'tcp' }]);
  });
});
