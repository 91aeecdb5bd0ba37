/**
 * The services of the topology floor (topology-floor.run.ts), one per process, on raw nats.js: the
 * pipeline's message path with nothing done on it.
 * - `scheduler <workers>`: takes `<prefix>.schedule` and forwards each message's bytes unchanged to
 *   `<prefix>.worker.<k>`, k round-robin over the workers, with the generator's reply subject, as
 *   the scheduler forwards a query to a cluster whose worker answers the generator directly.
 * - `worker <k>`: answers each message on `<prefix>.worker.<k>` with one fixed completed reply.
 *
 * Run by the bench as `node topology-floor.probe.js <natsUrl> <prefix> scheduler <workers>` or
 * `... worker <k>`. Prints `ready` on stdout once its subscription is known to the server, and runs
 * until killed.
 */
import { connect } from '@nats-io/transport-node';
import { encodeMessage, type InferenceReply } from '@aset/contracts';
import { runCommand } from '@aset/command-line';

await runCommand('topology-floor probe', async () => {
  const [url, prefix, role, countArg] = process.argv.slice(2);
  const count = Number(countArg);
  if (!url || !prefix || !(role === 'scheduler' || role === 'worker') || !Number.isInteger(count) || count < (role === 'scheduler' ? 1 : 0)) {
    throw new Error(`usage: topology-floor.probe.js <natsUrl> <prefix> scheduler <workers >= 1> | worker <k >= 0>; got ${process.argv.slice(2).join(' ')}`);
  }
  const nc = await connect({ servers: url, name: `bench-floor-${role}${role === 'worker' ? `-${count}` : ''}`, noAsyncTraces: true });
  if (role === 'scheduler') {
    let next = 0;
    nc.subscribe(`${prefix}.schedule`, {
      callback: (_, m) => {
        nc.publish(`${prefix}.worker.${next}`, m.data, m.reply ? { reply: m.reply } : undefined);
        next = (next + 1) % count;
      },
    });
  } else {
    const reply: InferenceReply = {
      schemaVersion: 1,
      status: 'completed',
      queryId: '00000000-0000-4000-8000-000000000000',
      decision: { clusterId: `cloud-${count}`, variantId: 'digits-linear-xs', policy: 'round-robin', decidedAt: 0 },
      timing: { receivedAt: 0, startedAt: 0, finishedAt: 0, emulatedNetworkMs: null },
      prediction: 3,
    };
    const bytes = encodeMessage(reply);
    nc.subscribe(`${prefix}.worker.${count}`, {
      callback: (_, m) => {
        m.respond(bytes);
      },
    });
  }
  await nc.flush();
  process.stdout.write('ready\n');
  await nc.closed();
});
