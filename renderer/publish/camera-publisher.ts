// The camera side of publishing: capture (getUserMedia), encode (WebCodecs VideoEncoder, the first
// codec this browser can encode of H.264, VP8, VP9) and hand each chunk to main, which frames it
// as hang and writes it to the relay. A keyframe every two seconds opens a group. When main falls
// behind, frames are dropped up to the next keyframe rather than queued without bound.

import type { MoqscopeApi } from "../../main/ipc/contract.ts";

/** In preference order: what players decode most widely first (hang.md §9, §10). */
const CODECS = ["avc1.42e01f", "vp8", "vp09.00.10.08"];
const KEYFRAME_EVERY_US = 2_000_000;
/** Frames sent to main and not yet acknowledged before we start dropping. */
const MAX_IN_FLIGHT = 20;

export interface CameraOptions {
  connectionId: string;
  broadcast: string;
  bitrate: number;
}

export interface CameraStatus {
  codec: string;
  width: number;
  height: number;
  framerate: number;
  dropped: number;
  error: string | null;
}

export class CameraPublisher {
  readonly stream: MediaStream;
  readonly publicationId: string;
  readonly status: CameraStatus;
  #encoder: VideoEncoder;
  #reader: ReadableStreamDefaultReader<VideoFrame> | undefined;
  #stopped = false;
  #inFlight = 0;
  #needKeyframe = true;
  #lastKeyframeUs = -Infinity;
  #firstChunkUs: number | undefined;
  #wallBaseUs = 0;
  #lastSentUs = -1;
  readonly #onChange: () => void;

  private constructor(
    private readonly api: MoqscopeApi,
    private readonly options: CameraOptions,
    stream: MediaStream,
    publicationId: string,
    status: CameraStatus,
    encoder: VideoEncoder,
    onChange: () => void,
  ) {
    this.stream = stream;
    this.publicationId = publicationId;
    this.status = status;
    this.#encoder = encoder;
    this.#onChange = onChange;
  }

  /** Ask for the camera, pick a codec, announce the broadcast, and start sending. */
  static async start(api: MoqscopeApi, options: CameraOptions, onChange: () => void): Promise<CameraPublisher> {
    if (typeof VideoEncoder === "undefined") {
      throw new Error(
        "this browser has no WebCodecs VideoEncoder (it needs a secure context: http://127.0.0.1 or https)",
      );
    }
    await api.invoke("camera:allow", { allowed: true });
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
        audio: false,
      });
    } catch (err) {
      await api.invoke("camera:allow", { allowed: false });
      throw new Error(`the camera could not be opened: ${cameraError(err)}`, { cause: err });
    }
    try {
      const track = stream.getVideoTracks()[0]!;
      const settings = track.getSettings();
      // Encoders want even sizes.
      const width = (settings.width ?? 1280) & ~1;
      const height = (settings.height ?? 720) & ~1;
      const framerate = Math.round(settings.frameRate ?? 30);
      const codec = await pickCodec(width, height, framerate, options.bitrate);
      const { publicationId } = await api.invoke("publish:camera", {
        connectionId: options.connectionId,
        broadcast: options.broadcast,
        codec,
        width,
        height,
        framerate,
        bitrate: options.bitrate,
      });
      const status: CameraStatus = { codec, width, height, framerate, dropped: 0, error: null };
      // The encoder's callbacks reach the publisher made just below.
      const made: { publisher?: CameraPublisher } = {};
      const encoder = new VideoEncoder({
        output: (chunk) => made.publisher?.send(chunk),
        error: (err) => made.publisher?.fail(`the encoder stopped: ${err.message}`),
      });
      encoder.configure({
        codec,
        width,
        height,
        framerate,
        bitrate: options.bitrate,
        latencyMode: "realtime",
        ...(codec.startsWith("avc1") ? { avc: { format: "annexb" as const } } : {}),
      });
      const publisher = new CameraPublisher(api, options, stream, publicationId, status, encoder, onChange);
      made.publisher = publisher;
      void publisher.capture(track);
      return publisher;
    } catch (err) {
      for (const t of stream.getTracks()) t.stop();
      await api.invoke("camera:allow", { allowed: false });
      throw err;
    }
  }

  /** Stop capturing and end the broadcast. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await this.#reader?.cancel().catch(() => {});
    for (const t of this.stream.getTracks()) t.stop();
    if (this.#encoder.state !== "closed") this.#encoder.close();
    await this.api
      .invoke("publish:stop", { connectionId: this.options.connectionId, publicationId: this.publicationId })
      .catch(() => {});
    await this.api.invoke("camera:allow", { allowed: false }).catch(() => {});
  }

  private async capture(track: MediaStreamTrack): Promise<void> {
    // A small buffer: when the encoder falls behind, old frames go rather than new ones.
    const processor = new MediaStreamTrackProcessor({ track, maxBufferSize: 2 });
    const reader = processor.readable.getReader();
    this.#reader = reader;
    for (;;) {
      const { value: frame, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done || !frame) return;
      if (this.#stopped || this.#encoder.state !== "configured") {
        frame.close();
        return;
      }
      // The encoder is slower than the camera: skip this frame rather than queue it.
      if (this.#encoder.encodeQueueSize > 2) {
        frame.close();
        continue;
      }
      const keyFrame = this.#needKeyframe || frame.timestamp - this.#lastKeyframeUs >= KEYFRAME_EVERY_US;
      if (keyFrame) {
        this.#needKeyframe = false;
        this.#lastKeyframeUs = frame.timestamp;
      }
      this.#encoder.encode(frame, { keyFrame });
      frame.close();
    }
  }

  private send(chunk: EncodedVideoChunk): void {
    if (this.#stopped) return;
    const key = chunk.type === "key";
    // Behind: drop until the next keyframe, which main can start a group with.
    if (this.#inFlight >= MAX_IN_FLIGHT || (!key && this.#lastSentUs < 0)) {
      this.status.dropped++;
      this.#needKeyframe = true;
      this.#onChange();
      return;
    }
    // Wall-clock µs, so a subscriber can tell how late each frame arrives.
    if (this.#firstChunkUs === undefined) {
      this.#firstChunkUs = chunk.timestamp;
      this.#wallBaseUs = Date.now() * 1000;
    }
    let timestampUs = this.#wallBaseUs + (chunk.timestamp - this.#firstChunkUs);
    if (timestampUs <= this.#lastSentUs) timestampUs = this.#lastSentUs + 1;
    this.#lastSentUs = timestampUs;
    const bytes = new Uint8Array(chunk.byteLength);
    chunk.copyTo(bytes);
    this.#inFlight++;
    this.api
      .invoke("publish:frame", {
        connectionId: this.options.connectionId,
        publicationId: this.publicationId,
        keyframe: key,
        timestampUs,
        data: toBase64(bytes),
      })
      .then(
        () => this.#inFlight--,
        (err: unknown) => {
          this.#inFlight--;
          this.fail(err instanceof Error ? err.message : String(err));
        },
      );
  }

  private fail(message: string): void {
    if (this.status.error) return;
    this.status.error = message;
    this.#onChange();
    void this.stop();
  }
}

/** The first codec the encoder accepts at this size and rate. */
async function pickCodec(width: number, height: number, framerate: number, bitrate: number): Promise<string> {
  for (const codec of CODECS) {
    const config: VideoEncoderConfig = {
      codec,
      width,
      height,
      framerate,
      bitrate,
      latencyMode: "realtime",
      ...(codec.startsWith("avc1") ? { avc: { format: "annexb" as const } } : {}),
    };
    const support = await VideoEncoder.isConfigSupported(config).catch(() => ({ supported: false }));
    if (support.supported) return codec;
  }
  throw new Error(`this browser can encode none of ${CODECS.join(", ")} at ${width}×${height}`);
}

function cameraError(err: unknown): string {
  if (err instanceof DOMException) {
    if (err.name === "NotAllowedError") return "permission was refused (allow the camera for this page and try again)";
    if (err.name === "NotFoundError") return "no camera was found";
    if (err.name === "NotReadableError") return "the camera is in use by another program";
    return `${err.name}: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
