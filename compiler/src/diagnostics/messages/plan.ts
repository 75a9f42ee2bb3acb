// Codes of the plan phase.
import { defineMessages } from '../define.ts';

export const planMessages = defineMessages({});
