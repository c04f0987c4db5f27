export function pythonStackDir(): string;
export function pythonStackInterpreter(): string;
export function pythonStackReady(): boolean;
export function ensurePythonStack(): string;
