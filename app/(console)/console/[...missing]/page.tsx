import { notFound } from "next/navigation";

/** Unknown console addresses get the console's not-found screen, inside the shell. */
export default function UnknownConsolePage(): never {
  notFound();
}
