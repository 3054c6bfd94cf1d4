// The intake: profile changes in (API, table syncs, inactivity decay, delivered updates, replays)
// → planned by the rules in force → durable in the store → handed to the worker.
export { createIntake, type Intake, type IntakeOptions, type CampaignSource, type ProgramSource, type WorkerLink, type HandOff } from './intake.js';
export { ScoringProgramRegistry, newProgramId, type StoredProgram, type RegistryLogger } from './scoring-programs.js';
export { createDecayScheduler, type DecayScheduler, type DecaySchedulerOptions } from './decay-scheduler.js';
export { openIntake, type OpenIntakeOptions, type OpenedIntake } from './open.js';
export { CampaignCatalog } from './catalog.js';
export { loadTemplateCampaigns, campaignIdForFile, campaignInputOf, TemplateCampaignError } from './template-campaigns.js';
