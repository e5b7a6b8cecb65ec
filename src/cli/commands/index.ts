/** The `ratzarr` commands, in the order `ratzarr --help` lists them. */
import type { Command } from "../command.js";
import { info } from "./info.js";
import { head } from "./head.js";
import { log } from "./log.js";
import { attrs } from "./attrs.js";
import { rm } from "./rm.js";
import { verifyCommand } from "./verify.js";
import { inspect } from "./inspect.js";
import { cp } from "./cp.js";
import { diff } from "./diff.js";
import { exportCommand } from "./export.js";
import { importCommand } from "./import.js";

export const commands: readonly Command[] = [info, head, log, attrs, verifyCommand, inspect, exportCommand, importCommand, cp, diff, rm];
