import type { Doc } from "@/lib/storage/typed";
import type { Model } from "./schemas";

export type ModelView = Model & { model_id: string };

export function toModelView(doc: Doc<Model>): ModelView {
  return { model_id: doc.id, ...doc.data };
}
