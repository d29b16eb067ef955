import { createRequire } from 'node:module';

// gltf-validator (Khronos, compiled from Dart) ships no types: these are the parts used here.

export interface ValidationOptions {
  uri?: string;
  format?: 'glb' | 'gltf';
  /** Loads a resource the asset refers to by URI; omitted, external resources are not checked. */
  externalResourceFunction?: (uri: string) => Promise<Uint8Array>;
  writeTimestamp?: boolean;
  maxIssues?: number;
  ignoredIssues?: string[];
  severityOverrides?: Record<string, number>;
}

export interface ValidationIssue {
  code: string;
  message: string;
  /** 0 error, 1 warning, 2 information, 3 hint. */
  severity: number;
  pointer?: string;
  offset?: number;
}

export interface ValidationReport {
  validatorVersion: string;
  issues: {
    numErrors: number;
    numWarnings: number;
    numInfos: number;
    numHints: number;
    messages: ValidationIssue[];
    truncated: boolean;
  };
}

interface GltfValidator {
  validateBytes(data: Uint8Array, options?: ValidationOptions): Promise<ValidationReport>;
  version(): string;
}

const validator = createRequire(import.meta.url)('gltf-validator') as GltfValidator;

export const validateBytes = (data: Uint8Array, options?: ValidationOptions) => validator.validateBytes(data, options);
export const validatorVersion = () => validator.version();
