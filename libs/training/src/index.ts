export { trainAset, type AsetMode, type TrainProgress } from './aset.trainer.js';
