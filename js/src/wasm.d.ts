// esbuild's binary loader embeds a .wasm file in the bundle (base64) and imports
// it as its bytes.
declare module '*.wasm' {
    const bytes: Uint8Array;
    export default bytes;
}
