/** Sizes Linux desktops look up in hicolor; electron-builder reads them from build/icons/NxN.png. */
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
