/**
 * No import circles in the house: a module that imports, directly or through others, a module that
 * imports it has no place of its own (neither can be read, tested or moved without the other), and
 * at run time one of them sees the other half-initialised.
 *
 * Read as text (no TypeScript program, so it stays fast): every static `import … from`, bare
 * `import '…'` and `export … from` with a relative path. Type-only imports count too: they vanish
 * from the JavaScript, but a type that two modules need from each other is still a shared piece
 * standing in the wrong room — `import type` is how the circles this test was written for hid.
 * Dynamic `import()` is left out: it is a deliberate late edge, not a static dependency.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
/** The house's source trees (tests, with their fixtures and fakes, are not rooms of the house). */
const TREES = ['lambdas', 'lib', 'sim', 'local', 'bin', 'cli', 'openapi', 'dashboard'];

/**
 * A top-level import or re-export statement, possibly over several lines: it starts a line, and
 * nothing between the keyword and `from` is a quote or a semicolon (so a `from '…'` inside a string
 * or after another statement is not taken for one).
 */
const STATIC_IMPORT = /^(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm;
const BARE_IMPORT = /^import\s*['"]([^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The file a relative specifier names, as TypeScript resolves it (extension added, or the folder's index). */
function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** file → the files it imports (relative imports only: packages cannot close a circle of ours). */
function importGraph(files: readonly string[]): { graph: Map<string, string[]>; unresolved: string[] } {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(STATIC_IMPORT), ...text.matchAll(BARE_IMPORT)].map((m) => m[1]!).filter((s) => s.startsWith('.'));
    const targets: string[] = [];
    for (const specifier of specifiers) {
      const target = resolve(file, specifier);
      if (target === undefined) unresolved.push(`${path.relative(ROOT, file)}: ${specifier}`);
      else if (/\.tsx?$/.test(target)) targets.push(target);
    }
    graph.set(file, [...new Set(targets)]);
  }
  return { graph, unresolved };
}

/** The strongly connected components with a circle in them (Tarjan), each with one circle through it. */
function importCircles(graph: ReadonlyMap<string, readonly string[]>): Array<{ circle: string[]; knot: string[] }> {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next += 1;
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((knot) => ({ circle: circleThrough(knot, graph), knot }));
}

/** A circle as the failure shows it, with the files tied in the same knot when there are more. */
function describeCircle(circle: readonly string[], knot: readonly string[]): string {
  const shown = circle.map((file) => path.relative(ROOT, file)).join(' → ');
  const others = knot.filter((file) => !circle.includes(file)).map((file) => path.relative(ROOT, file)).sort();
  return others.length > 0 ? `${shown} (tied in with ${others.join(', ')})` : shown;
}

/** One circle inside a component, from its first file back to it: what to read to break it. */
function circleThrough(component: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of graph.get(node) ?? []) {
      if (!members.has(target)) continue;
      if (target === start) {
        const circle = [node];
        while (circle[0] !== start) circle.unshift(cameFrom.get(circle[0]!)!);
        return [...circle, start];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return [...component];
}

const files = TREES.flatMap((tree) => sourceFiles(path.join(ROOT, tree)));
const { graph, unresolved } = importGraph(files);

test('the walk reads the house: every tree has files, every relative import resolves', () => {
  for (const tree of TREES) expect({ tree, found: files.some((f) => f.startsWith(path.join(ROOT, tree, path.sep))) }).toEqual({ tree, found: true });
  // A specifier the walk cannot follow would hide an edge, and with it a circle.
  expect(unresolved).toEqual([]);
  const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
  expect(edges).toBeGreaterThan(files.length);
});

test('the walk finds circles: direct, longer, type-only, multi-line and re-exports', () => {
  const made = new Map<string, string[]>([
    ['a', ['b']], ['b', ['a']], // a ↔ b
    ['c', ['d']], ['d', ['e']], ['e', ['c', 'f']], ['f', []], // c → d → e → c
    ['g', ['g']], // a module importing itself
    ['h', ['f']], // no circle
  ]);
  expect(importCircles(made).map(({ circle }) => circle.join(' → ')).sort()).toEqual(['a → b → a', 'c → d → e → c', 'g → g']);
  const text = "import type { X } from './x';\nimport {\n  a,\n  b,\n} from './y';\nexport * from './z';\nexport { c } from \"./w\";\nimport './side';\nconst s = 'import q from \"./no\"';\n";
  expect([...text.matchAll(STATIC_IMPORT), ...text.matchAll(BARE_IMPORT)].map((m) => m[1])).toEqual(['./x', './y', './z', './w', './side']);
});

test('no module of lambdas/, lib/, sim/, local/ (nor bin/, cli/, openapi/, dashboard/) imports itself through others', () => {
  const circles = importCircles(graph).map(({ circle, knot }) => describeCircle(circle, knot));
  expect(circles).toEqual([]);
});
