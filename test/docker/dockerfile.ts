// Just enough of a Dockerfile reader for the checks in this folder: stages and their
// instructions, with line continuations joined and comments dropped.
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [from = '', as, name] = rest;
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    stage.instructions.push({ keyword: keyword.toUpperCase(), args });
  }
  return stages;
}

/** ENV in both forms (`ENV A=1 B=2` and `ENV A 1`), across a stage and the stages it builds on. */
export function stageEnv(stages: Stage[], stage: Stage): Record<string, string> {
  const parent = stages.find((candidate) => candidate.name === stage.from);
  const env: Record<string, string> = parent ? stageEnv(stages, parent) : {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (args.includes('=')) {
      for (const pair of args.split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    } else {
      const [name = '', ...value] = args.split(/\s+/);
      env[name] = value.join(' ');
    }
  }
  return env;
}

/** The last value of an instruction in a stage or the stages it builds on (USER, WORKDIR, CMD…). */
export function lastInstruction(stages: Stage[], stage: Stage, keyword: string): string | undefined {
  const own = stage.instructions.filter((instruction) => instruction.keyword === keyword).at(-1);
  if (own) return own.args;
  const parent = stages.find((candidate) => candidate.name === stage.from);
  return parent ? lastInstruction(stages, parent, keyword) : undefined;
}
