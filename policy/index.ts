// The pack `pulumi preview --policy-pack policy` loads. Only this file starts
// the policy server; tests import ./policies instead.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("upkeep", { policies });
