export { diagnose, lockdownMode, SYSCTLS } from './findings.js';
export type { DiagnosticInputs, Finding, Severity, SysctlName } from './findings.js';
