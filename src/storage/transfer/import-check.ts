// The first pass of `mini-openclaw import`: everything about the file that can be checked before a row is written.
import { isValidAgentId } from '../../shared/ids';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export-rows';
import { rowLineOf } from './import-row-lines';

/** Why an import stopped before writing: the file is not a well-formed export, or a target agent already holds rows. */
export class ImportRefused extends Error {
  override readonly name = 'ImportRefused';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses line `number`; anything but a JSON object is refused. */
export function parseLine(text: string, number: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ImportRefused(`line ${number} is not JSON`);
  }
  if (!isObject(value)) throw new ImportRefused(`line ${number} is not a JSON object`);
  return value;
}

/** Refuses a row line whose shape the import could not store whole (its agent, its row, its row's id). */
function checkRow(line: Record<string, unknown>, number: number, agents: Map<string, number>, seen: Set<string>) {
  const shape = rowLineOf(line.type);
  if (!shape) throw new ImportRefused(`line ${number} has an unknown type ${JSON.stringify(line.type)}`);
  const agentId = line.agent_id;
  if (typeof agentId !== 'string' || !agents.has(agentId))
    throw new ImportRefused(`line ${number}: a ${line.type} row of an agent with no agent line before it`);
  const row = line[shape.field];
  if (!isObject(row)) throw new ImportRefused(`line ${number}: its ${shape.field} is not an object`);
  if (line.type === 'session' && !(Array.isArray(line.messages) && Array.isArray(line.archives)))
    throw new ImportRefused(`line ${number}: a session's messages and archives must be lists`);
  if (line.type === 'usage' && typeof line.timestamp_ms !== 'number')
    throw new ImportRefused(`line ${number}: a usage row's timestamp_ms must be a number`);
  if (!shape.key) return;
  const id = row[shape.key];
  if (typeof id !== 'string' || id === '') throw new ImportRefused(`line ${number}: its ${shape.key} is not an id`);
  const unique = `${agentId}\u0000${line.type}\u0000${id}`;
  if (seen.has(unique)) throw new ImportRefused(`line ${number}: ${line.type} ${id} of agent ${agentId} appears twice`);
  seen.add(unique);
}

/**
 * Reads the whole file once, writing nothing: the header comes first, every line is a JSON object of a known type,
 * agent ids are valid ids (never a path such as `../x`), each appearing once, each row follows its agent's line and
 * names its row uniquely. Returns each agent's creation time; throws ImportRefused saying which line is wrong.
 */
export async function checkExportLines(lines: AsyncIterable<string>): Promise<Map<string, number>> {
  const agents = new Map<string, number>();
  const seen = new Set<string>();
  let number = 0;
  let header = false;
  for await (const text of lines) {
    number += 1;
    if (!text.trim()) continue;
    const line = parseLine(text, number);
    if (!header) {
      if (line.type !== 'header' || line.format !== EXPORT_FORMAT || line.version !== EXPORT_VERSION)
        throw new ImportRefused(`not a ${EXPORT_FORMAT} file of version ${EXPORT_VERSION}`);
      header = true;
    } else if (line.type === 'header') throw new ImportRefused(`line ${number} is a second header`);
    else if (line.type === 'agent') {
      const id = line.agent_id;
      if (typeof id !== 'string' || !isValidAgentId(id))
        throw new ImportRefused(`line ${number}: agent_id ${JSON.stringify(id).slice(0, 80)} is not a valid agent id`);
      if (agents.has(id)) throw new ImportRefused(`line ${number}: agent ${id} appears twice`);
      if (typeof line.created_at !== 'number' || !Number.isFinite(line.created_at))
        throw new ImportRefused(`line ${number}: agent ${id} has no created_at time`);
      agents.set(id, line.created_at);
    } else checkRow(line, number, agents, seen);
  }
  if (!header) throw new ImportRefused(`not a ${EXPORT_FORMAT} file of version ${EXPORT_VERSION}`);
  return agents;
}
