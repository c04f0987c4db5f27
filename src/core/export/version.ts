// WebTune's own version, from package.json (bundled at build time; only this field is read).
import { version } from '../../../package.json';

export const WEBTUNE_VERSION: string = version;
