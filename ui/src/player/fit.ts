// Scale the recorded page to fit the stage, keeping its aspect ratio, never enlarging it
// (an enlarged page reads as a different layout), centred.

export interface Size {
  width: number;
  height: number;
}

export interface Fit {
  scale: number;
  left: number;
  top: number;
}

export function fitToStage(stage: Size, page: Size, maxScale = 1): Fit {
  if (page.width <= 0 || page.height <= 0 || stage.width <= 0 || stage.height <= 0) {
    return { scale: 1, left: 0, top: 0 };
  }
  const scale = Math.min(stage.width / page.width, stage.height / page.height, maxScale);
  return {
    scale,
    left: (stage.width - page.width * scale) / 2,
    top: (stage.height - page.height * scale) / 2,
  };
}
