// The native classes of @moq/web-transport (napi-rs over quinn), as we call them. The package's
// own TypeScript wrapper ships as .ts source behind an exports map, so we load its native part
// directly and declare here the slice we use. The `moqscope*` members exist only in the binary we
// build from the crate with native/http3/moqscope_ext.rs compiled in; the prebuilt lacks them.

export interface NativeCloseInfo {
  closeCode: number;
  reason: string;
}

export interface NativeQuicStats {
  rttMs: number;
  cwnd: number;
  pacingRate?: number | null;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsLost: number;
}

export interface NativeSendStream {
  write(data: Buffer): Promise<void>;
  finish(): Promise<void>;
  reset(code: number): Promise<void>;
  setPriority(priority: number): Promise<void>;
}

export interface NativeRecvStream {
  /** Up to `maxSize` bytes (one packet's worth at most); null at FIN. */
  read(maxSize: number): Promise<Buffer | null>;
  /** Up to `maxSize` bytes of whatever has arrived; null at FIN. */
  moqscopeRead?(maxSize: number): Promise<Buffer | null>;
  stop(code: number): Promise<void>;
}

export interface NativeBiStream {
  takeSend(): NativeSendStream;
  takeRecv(): NativeRecvStream;
}

export interface NativeSession {
  readonly protocol: string | null;
  acceptUni(): Promise<NativeRecvStream>;
  acceptBi(): Promise<NativeBiStream>;
  openUni(): Promise<NativeSendStream>;
  openBi(): Promise<NativeBiStream>;
  close(code: number, reason: string): void;
  closed(): Promise<NativeCloseInfo>;
  sendDatagram(data: Buffer): void;
  recvDatagram(): Promise<Buffer>;
  maxDatagramSize(): number;
  moqscopeStats?(): NativeQuicStats;
}

export interface NativeRequest {
  readonly url: Promise<string>;
  readonly moqscopeProtocols?: Promise<string[]>;
  readonly moqscopeRemote?: Promise<string>;
  ok(): Promise<NativeSession>;
  moqscopeAccept?(protocol: string | null): Promise<NativeSession>;
  reject(status: number): Promise<void>;
}

export interface NativeServer {
  accept(): Promise<NativeRequest | null>;
  /** Blocks the calling thread while an accept() is pending: see server.ts. */
  close(): void;
}

export interface NativeClient {
  connect(url: string, options?: { protocols?: string[] }): Promise<NativeSession>;
}

export interface NativeBinding {
  NapiClient: {
    withSystemRoots(): NativeClient;
    disableVerify(): NativeClient;
    withCertificateHashes(hashes: Buffer[]): NativeClient;
  };
  NapiServer: {
    bind(addr: string, certPem: Buffer, keyPem: Buffer): NativeServer;
  };
}
