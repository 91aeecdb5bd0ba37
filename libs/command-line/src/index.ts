export { REPO_ROOT, DEFAULT_MANIFEST, scenarioPath, checkpointPath, checkpointsOption, inRepository, loadInputs } from './repo.paths.js';
export { positiveInt, nonNegativeInt, positiveNumber, nonNegativeNumber, positiveNumberList, probability, nonEmpty, directory, seed, MAX_SEED, messagingOverhead, policyNames, integerAtLeast, identifier, seedCountOrList } from './option.parsers.js';
export { runCommand } from './command.runner.js';
export { formatPercent } from './percent.format.js';
export { RunOutputDirectory, QueryCsvWriter, codeVersion, fileSha256, checkpointRef, resolvedScenario, type CodeVersion } from './run-output.writer.js';
