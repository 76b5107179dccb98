// The check catalog: every builtin type, in the order `qualify checks` lists them.

import { command } from './command.js';
import { composeProject } from './compose-project.js';
import { containerConfig } from './container-config.js';
import { containerImage } from './container-image.js';
import { containerLogs } from './container-logs.js';
import { containerRunning } from './container-running.js';
import type { CheckDefinition } from './define.js';
import { file } from './file.js';
import { gitState } from './git-state.js';
import { httpGet } from './http-get.js';
import { imageInspect } from './image-inspect.js';
import { manual } from './manual.js';
import { releaseProvenance } from './release-provenance.js';
import { serviceImage } from './service-image.js';
import { serviceRunning } from './service-running.js';
import { sopEffective } from './sop-effective.js';

export { defineCheck, createCheckRegistry, judgeObservation, type CheckContext, type CheckDefinition, type Verdict } from './define.js';
export { evaluateExpect, validateExpect, looseEquals, isMatcherObject, MATCHER_NAMES, type MatcherName, type EvaluateOptions } from './matchers.js';
export { validateCheckParams, readParams, type ParamReader } from './params.js';
export { parseImageRef, runningDigest, findContainer, selectByLabel } from './support.js';

/** Builtin check types, in catalog order. */
export const builtinChecks: CheckDefinition[] = [
  containerRunning,
  containerImage,
  containerConfig,
  containerLogs,
  imageInspect,
  releaseProvenance,
  serviceRunning,
  serviceImage,
  composeProject,
  gitState,
  httpGet,
  file,
  command,
  sopEffective,
  manual,
];

export { containerRunning, containerImage, containerConfig, containerLogs, imageInspect, releaseProvenance, serviceRunning, serviceImage, composeProject, gitState, httpGet, file, command, sopEffective, manual };
export { selectReplicas, replicaName, describeSelector, type Replica } from './replicas.js';
