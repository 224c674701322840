// MediaStreamTrackProcessor (Chromium's insertable streams for media): hands a camera track's frames
// to script as a ReadableStream of VideoFrames. TypeScript's DOM library does not declare it yet.

interface MediaStreamTrackProcessorInit {
  track: MediaStreamTrack;
  maxBufferSize?: number;
}

declare class MediaStreamTrackProcessor {
  constructor(init: MediaStreamTrackProcessorInit);
  readonly readable: ReadableStream<VideoFrame>;
}
