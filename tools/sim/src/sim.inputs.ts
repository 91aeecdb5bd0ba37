import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readZoo, type ModelZoo } from '@aset/model-zoo';
import { readScenarioFile, type Scenario } from '@aset/scenario';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** `demo` -> scenarios/demo.yaml; anything with a slash or an extension is a path. */
export function scenarioPath(nameOrFile: string): string {
  return /[/.]/.test(nameOrFile) ? resolve(nameOrFile) : join(REPO_ROOT, 'scenarios', `${nameOrFile}.yaml`);
}

/** Reads the zoo and a scenario (zoo binding checked). Throws ScenarioError / ZooError with file and path. */
export function loadInputs(scenario: string, manifest = join(REPO_ROOT, 'models', 'manifest.json')): { scenario: Scenario; zoo: ModelZoo } {
  const zoo = readZoo(manifest);
  return { zoo, scenario: readScenarioFile(scenarioPath(scenario), { zoo }) };
}
