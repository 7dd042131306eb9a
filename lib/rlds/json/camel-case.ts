/** `headsetPose` → `headset_pose`, `videoFrameId` → `video_frame_id`, `HTTPStatus` → `http_status`. */
export function camelToSnake(key: string): string {
  if (!/[A-Z]/.test(key)) return key;
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** Whether a key looks like the XR app's camelCase (a lowercase letter followed by an uppercase one). */
export function isCamelCaseKey(key: string): boolean {
  return /[a-z0-9][A-Z]/.test(key);
}

// Every JSON string token, left to right: a match can never start inside another string.
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"/g;

function isFollowedByColon(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x3a) return true;
    if (ch !== 0x20 && ch !== 0x09 && ch !== 0x0a && ch !== 0x0d) return false;
  }
  return false;
}

/**
 * Rename every object key of a JSON text from camelCase to snake_case, leaving everything else
 * (values, number lexemes, spacing) untouched. The text must be valid JSON (checked beforehand).
 * Keys holding escapes are left as they are.
 */
export function renameJsonKeysToSnake(text: string): string {
  return text.replace(STRING_TOKEN, (token: string, offset: number) => {
    if (!/[A-Z]/.test(token) || token.includes("\\")) return token;
    if (!isFollowedByColon(text, offset + token.length)) return token;
    return `"${camelToSnake(token.slice(1, -1))}"`;
  });
}
