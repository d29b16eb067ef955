/**
 * Runs the upload inspection (inspectFile, as POST /uploads/model does) on a GLB whose `extras` are nested
 * `depth` arrays deep, in a process of its own, and prints what it answered. uploads.test.ts runs it to
 * show that the glTF validator's stack overflow kills the whole process instead of refusing the file.
 *
 *   node --import tsx test/fuzz/validator-probe.ts 10000
 */
import { inspectFile } from '@keylab/files';
import { TRIANGLE_BIN, deepExtrasJson, glb } from './upload-generators';

const depth = Number(process.argv[2] ?? '10000');
inspectFile(glb(deepExtrasJson(depth), TRIANGLE_BIN), 'model').then(
  (inspected) => console.log(JSON.stringify({ outcome: 'accepted', vertexCount: inspected.model?.vertexCount })),
  (error: { reason?: string; message?: string }) =>
    console.log(JSON.stringify({ outcome: 'refused', reason: error.reason ?? error.message })),
);
