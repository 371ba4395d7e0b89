/**
 * Where encoder graphs run. onnxruntime-node 1.30 ships the CPU provider and, on Linux, WebGPU
 * (through Dawn and Vulkan); CUDA works once its provider libraries are installed. Whether a
 * provider works is only known by creating a session with it, so that is what `auto` and
 * `vidmem doctor` do.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { ort } from './onnxruntime.js';
import type { Device } from '../core/config.js';
import { UserError } from '../core/errors.js';

export interface SessionSettings {
  readonly device?: Device;
  /** Intra-op threads; unset lets onnxruntime choose. */
  readonly threads?: number;
  /** Where `auto` says, once, that it fell back to the CPU (default: stderr). */
  readonly log?: (line: string) => void;
  /** Let onnxruntime print its own warnings (VIDMEM_DEBUG). */
  readonly debug?: boolean;
}

/** GPU providers `auto` tries, fastest first (transformers.js' order on Linux). */
const GPU_PROVIDERS = ['cuda', 'webgpu'];

const HINTS: Record<string, string> = {
  cuda: 'install onnxruntime-node with its CUDA files (node node_modules/onnxruntime-node/script/install --onnxruntime-node-install=cuda12; needs CUDA 12 and cuDNN 9)',
  webgpu: 'WebGPU needs a GPU that Dawn reaches through Vulkan (libvulkan1 and a GPU driver)',
};

/** The provider `auto` settled on in this process: later sessions go straight to it. */
let autoProvider: string | undefined;

/** onnxruntime prints provider failures itself; vidmem reports them in one line of its own. */
function quietOrt(debug: boolean): void {
  ort.env.logLevel = debug ? 'warning' : 'fatal';
}

/**
 * On Linux, Dawn reaches GPUs only through the Vulkan loader, and without it prints a warning of
 * its own straight to stderr; asking the dynamic linker first keeps that noise away.
 */
function vulkanMissing(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    process.dlopen({ exports: {} }, 'libvulkan.so.1');
  } catch (err) {
    // Any other complaint ("did not self-register") means the library itself loaded.
    const message = (err as Error).message;
    if (message.includes('cannot open shared object')) return message;
  }
  return undefined;
}

/**
 * Where a Vulkan loader exists but no adapter will do, Dawn writes several lines of its own
 * warnings to this process's stderr, which nothing in JavaScript can hold back. So WebGPU is
 * first tried in a child process whose stderr is dropped; only what it reports comes back.
 */
function tryWebGpuAside(model: string | Uint8Array): Promise<void> {
  const script = `
    const ort = require(process.argv[1]);
    const read = process.argv[2] ? Promise.resolve(process.argv[2]) : new Promise((done) => { const parts = []; process.stdin.on('data', (b) => parts.push(b)).on('end', () => done(Buffer.concat(parts))); });
    read.then((model) => ort.InferenceSession.create(model, { executionProviders: ['webgpu'], logSeverityLevel: 4 }))
      .then((session) => session.release()).then(() => process.exit(0), (err) => { process.stdout.write(String(err.message)); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    const args = ['-e', script, createRequire(import.meta.url).resolve('onnxruntime-node'), typeof model === 'string' ? model : ''];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let said = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (said += s));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(said || `the WebGPU probe ended with status ${code}`))));
    child.stdin.end(typeof model === 'string' ? undefined : model);
  });
}

async function create(model: string | Uint8Array, provider: string, settings: SessionSettings = {}): Promise<Ort.InferenceSession> {
  const { threads, debug = false } = settings;
  if (provider === 'webgpu') {
    const missing = vulkanMissing();
    if (missing) throw new Error(missing);
    if (!debug) await tryWebGpuAside(model);
  }
  quietOrt(debug);
  const options: Ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    // Prepacking keeps a second, repacked copy of every weight matrix; the freed originals often
    // stay in the heap, which put a ViT-B/32 at 530 MB or 670 MB peak by chance. Measured on two
    // cores, batch 8: the same speed without it (386–443 ms vs 379–516 ms).
    extra: { session: { disable_prepacking: '1' } },
    logSeverityLevel: debug ? 2 : 4,
    ...(threads ? { intraOpNumThreads: threads } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, options) : ort.InferenceSession.create(model, options);
}

/** The useful part of onnxruntime's message: provider failures come after a source path and an assertion. */
function providerFailure(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  return line.match(/Failed to .*/)?.[0] ?? line;
}

function listed(): Set<string> {
  return new Set(ort.listSupportedBackends().map((backend) => backend.name));
}

export async function createSession(path: string, settings: SessionSettings = {}): Promise<Ort.InferenceSession> {
  const device = settings.device ?? 'cpu';
  const log = settings.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (device !== 'auto') {
    if (device !== 'cpu' && !listed().has(device)) {
      throw new UserError(`--device ${device}: this build of onnxruntime-node has no ${device} provider on ${process.platform}/${process.arch}`);
    }
    try {
      return await create(path, device, settings);
    } catch (err) {
      if (device === 'cpu') throw new UserError(`cannot load ${path}: ${providerFailure(err)}`);
      throw new UserError(`cannot load ${path} on ${device}: ${providerFailure(err)}; ${HINTS[device]}, or use --device cpu`);
    }
  }

  const available = listed();
  const candidates = autoProvider ? [autoProvider] : GPU_PROVIDERS.filter((name) => available.has(name));
  const failures: string[] = [];
  for (const provider of candidates.filter((name) => name !== 'cpu')) {
    try {
      const session = await create(path, provider, settings);
      autoProvider = provider;
      return session;
    } catch (err) {
      failures.push(`${provider} unavailable (${providerFailure(err)})`);
    }
  }
  try {
    const session = await create(path, 'cpu', settings);
    if (autoProvider !== 'cpu') log(`vidmem: ${failures.length ? failures.join(', ') : 'no GPU provider in this onnxruntime-node'}; using cpu`);
    autoProvider = 'cpu';
    return session;
  } catch (err) {
    throw new UserError(`cannot load ${path}: ${providerFailure(err)}`);
  }
}

export interface ProviderStatus {
  readonly name: string;
  /** Shipped inside onnxruntime-node (CUDA's libraries are installed separately). */
  readonly bundled: boolean;
  readonly works: boolean;
  readonly reason?: string;
  readonly hint?: string;
}

/** Every provider onnxruntime-node lists, tried with a session of `graph`, the smallest one will do. */
export async function probeProviders(graph: Uint8Array, settings: Pick<SessionSettings, 'debug'> = {}): Promise<ProviderStatus[]> {
  const statuses: ProviderStatus[] = [];
  for (const { name, bundled } of ort.listSupportedBackends()) {
    try {
      await (await create(graph, name, settings)).release();
      statuses.push({ name, bundled, works: true });
    } catch (err) {
      statuses.push({ name, bundled, works: false, reason: providerFailure(err), ...(HINTS[name] ? { hint: HINTS[name] } : {}) });
    }
  }
  return statuses;
}
