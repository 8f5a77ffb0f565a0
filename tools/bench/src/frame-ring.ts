import type { Socket } from 'node:net';

/**
 * Pre-encoded frames of one size in a ring, written `count` at a time from where the last
 * write stopped: publishes cycling over a key space, or requests cycling over keys, cost one
 * `subarray` per write instead of an encode per frame. The buffer is never changed after it
 * is built, so the socket may keep its views until they are sent.
 */
export class FrameRing {
  readonly frameBytes: number;
  readonly frames: number;
  private cursor = 0;

  constructor(private readonly ring: Buffer, frames: number) {
    if (frames <= 0 || ring.length % frames !== 0) throw new Error(`a ring of ${ring.length} bytes does not hold ${frames} equal frames`);
    this.frames = frames;
    this.frameBytes = ring.length / frames;
  }

  /** Frames built by `frameOf(i)` for i in 0..count-1, each of the same length. */
  static of(count: number, frameOf: (index: number) => Buffer): FrameRing {
    const frames = Array.from({ length: count }, (_, index) => frameOf(index));
    const size = frames[0]?.length ?? 0;
    for (const [index, frame] of frames.entries()) {
      if (frame.length !== size) throw new Error(`frame ${index} is ${frame.length} bytes, not ${size}`);
    }
    return new FrameRing(Buffer.concat(frames), count);
  }

  /** Writes the next `count` frames (wrapping around) to `socket`; the caller corks if it wants one write. */
  write(socket: Socket, count: number): void {
    let left = count;
    while (left > 0) {
      const frames = Math.min(left, this.frames - this.cursor);
      socket.write(this.ring.subarray(this.cursor * this.frameBytes, (this.cursor + frames) * this.frameBytes));
      this.cursor = (this.cursor + frames) % this.frames;
      left -= frames;
    }
  }
}

/** `k000` … `k999` for 1000 keys: one width for every key, so every frame naming one has the same size. */
export function keyName(index: number, keys: number): string {
  return `k${String(index).padStart(String(keys - 1).length, '0')}`;
}
