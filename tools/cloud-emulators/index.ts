export { startCloudEmulators, type CloudEmulators, type CloudEmulatorsOptions } from "./start-cloud-emulators";
export { cloudDeploymentFor, isCloudMode } from "./deployment";
export { startFirebaseAuthEmulator, type FirebaseAuthEmulator } from "./firebase-auth-emulator";
export { freePort, PortPicker } from "./free-port";
