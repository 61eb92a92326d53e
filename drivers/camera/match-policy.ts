/** The 1:1 face decision lives beside the contract so the renderer and main share it. */
export * from '../../preload/face-policy';
