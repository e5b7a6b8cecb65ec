#!/usr/bin/env node
/** The `ratzarr` executable (package.json "bin"): the command line of src/cli/main.ts. */
import { runCli } from "./main.js";

await runCli();
