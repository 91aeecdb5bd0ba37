/** The head of docs/results.md: how every figure below is made. The suites' sections follow it. */
export const RESULTS_PREAMBLE = `# Results

Every figure here comes from the simulator (\`libs/sim\`), which runs the same policy code, scenario
files and zoo profiles as the live testbed (\`npm run -s validate:sim\` compares them). Each suite's
section is written by \`npm run -s experiment -- --suite <name> --json\`; the same run prints it as
JSON and writes it, with every seed's figure, to \`docs/results/<suite>.json\`.

How to read it:

- **Success** is the fraction of measured queries (warm-up excluded) that met their SLO: answered
  within the deadline by a variant at least as accurate as the floor. Dropped, timed-out and late
  queries count as failures.
- **Seeds.** Every policy runs on every scenario under each workload seed (the seed fixes the
  arrivals, the network jitter draws and the heartbeat phases). Figures are means over seeds with a
  Student's t 95% interval. "A beats B" is written only where the **paired** interval of the
  difference A − B (paired by seed: the same arrivals) excludes 0.
- **Liveness.** Every policy skips clusters it holds to be down: no heartbeat for 3 periods, or no
  responder on dispatch (the query is then decided again), as the live scheduler does.
- **Upper bound** (no contention): a query counts as possible when some (cluster, variant) meeting
  its accuracy floor would answer it within its deadline with empty queues, on the links and
  clusters as they are when it is sent. It ignores capacity.
- **Capacity bound** (fluid): the largest fraction of the offered load that could meet its SLO if
  each cluster's capacity (slots over each variant's processing time) were shared optimally among
  the (source, application) streams that can reach it in time — a linear program per time window
  (\`CapacityBoundSink\`, \`libs/sim/README.md\`). No policy can exceed it, up to jitter; the gap
  between it and the best policy is the room that is really left.
- **Heuristics** are every hand-written policy: the static ones (\`closest\`, \`cloud\`, \`random\`,
  \`round-robin\`, \`least-loaded\`, \`latency-aware\`), the adaptive ones (\`shielded-greedy\`: the
  safety shield's tiers over every feasible placement with the observed delays, lowest estimate
  first; \`power-of-two\`; \`slack-fit\`), and \`shield-random\` (a random choice among
  aset-direct's candidates inside its shield). The **best heuristic** of a scenario is the one with
  the highest mean there, picked after the fact, which favours the heuristics.
- **ASET** is \`aset\` (picks a static policy every step) and \`aset-direct\` (picks the placement
  per query, behind its safety shield); \`aset-direct-unshielded\` is the same network without the
  shield. The agents are trained once on the suite's base scenario and evaluated unchanged; the
  spread across training seeds shows how much of a result is the training seed's luck.
`;
