import { suite } from "uvu";
import { MemoryStore } from "../../src/stores/memory.js";
import { storeContract } from "./store-contract.js";

const s = suite("MemoryStore");
storeContract(s, async () => new MemoryStore());
s.run();
