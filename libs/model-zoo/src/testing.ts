import { join } from 'node:path';
import { REPO_ROOT } from './repo.root.js';

/** The repository's committed model zoo manifest. */
export const REPO_MANIFEST = join(REPO_ROOT, 'models', 'manifest.json');
