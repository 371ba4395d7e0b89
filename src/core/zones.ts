/**
 * Zones: named polygons of a source's picture, in fractions 0..1 of its width and height
 * (`lawn=0,0.5,1,0.5,1,1,0,1`), so that one zone fits the camera at any resolution. A detection is
 * in a zone when its box's bottom-centre, where a person stands or a car touches the ground, is:
 * a head that overlaps the fence is not on the lawn.
 */
import type { Box } from './detections.js';
import { UserError } from './errors.js';

export interface Zone {
  readonly name: string;
  /** The corners in order, [x, y] each. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** Letters, digits, `-` and `_`: a name that reads the same on a command line, in JSON and in a rule. */
const ZONE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const USAGE = 'give NAME=x1,y1,x2,y2,x3,y3… with at least 3 corners, each coordinate a fraction from 0 to 1 of the picture (e.g. lawn=0,0.5,1,0.5,1,1,0,1)';

function badZone(spec: string, why: string): UserError {
  return new UserError(`--zone ${spec}: ${why}; ${USAGE}`, 2);
}

/** A zone's name, as a rule names it too; refused in one line when it could not be one. */
export function checkZoneName(name: string): string {
  if (!ZONE_NAME.test(name)) throw new UserError(`zone name '${name}': use letters, digits, - and _ (at most 64, starting with a letter or digit)`, 2);
  return name;
}

/** `NAME=x1,y1,…` as a zone, unchecked: the numbers as pairs (an odd count is refused here already). */
function readZone(spec: string): Zone {
  const at = spec.indexOf('=');
  if (at < 0) throw badZone(spec, 'no NAME=');
  const values = spec.slice(at + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '' || !Number.isFinite(Number(v)))) throw badZone(spec, 'the coordinates must be numbers separated by commas');
  if (values.length % 2 !== 0) throw badZone(spec, `${values.length} numbers are not x,y pairs`);
  const numbers = values.map(Number);
  return { name: spec.slice(0, at).trim(), points: Array.from({ length: numbers.length / 2 }, (_, i) => [numbers[2 * i]!, numbers[2 * i + 1]!] as const) };
}

/** `lawn=0,0.5,1,0.5,…` again, for the line that refuses a zone given as an object. */
function spell(zone: Zone): string {
  return `${zone.name}=${zone.points.flat().join(',')}`;
}

/**
 * The one check of a source's zones, from the command line or a program: each a named polygon of
 * at least 3 corners inside the picture, no name twice. A bad one is one line and exit status 2.
 */
export function checkZones(zones: readonly Zone[], specs: readonly string[] = zones.map(spell)): readonly Zone[] {
  const seen = new Set<string>();
  zones.forEach((zone, i) => {
    const spec = specs[i]!;
    if (!ZONE_NAME.test(zone.name)) throw badZone(spec, `'${zone.name}' is not a zone name (letters, digits, - and _)`);
    if (zone.points.length < 3) throw badZone(spec, `${zone.points.length} corners are not a polygon`);
    if (zone.points.flat().some((n) => !(n >= 0 && n <= 1))) throw badZone(spec, 'a coordinate lies outside 0..1');
    if (seen.has(zone.name)) throw new UserError(`--zone ${zone.name} is given twice; give each zone its own name`, 2);
    seen.add(zone.name);
  });
  return zones;
}

/** `--zone` values as zones, checked. */
export function parseZones(specs: readonly string[]): readonly Zone[] {
  return checkZones(specs.map(readZone), specs);
}

/** Whether a point lies inside a polygon (even-odd rule: a ray to the right crosses its edges an odd number of times). */
export function pointInPolygon(x: number, y: number, points: Zone['points']): boolean {
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i]!;
    const [xj, yj] = points[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The names of the zones a box stands in: those holding its bottom-centre. */
export function zonesOf(box: Box, zones: readonly Zone[]): string[] {
  const x = box.x + box.width / 2;
  const y = box.y + box.height;
  return zones.filter((zone) => pointInPolygon(x, y, zone.points)).map((zone) => zone.name);
}
