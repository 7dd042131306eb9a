import Link from "next/link";
import { SiteFooter, SiteHeader } from "@/components/marketing/site-header";
import { buttonClass } from "@/components/ui/button";
import { getPageSession } from "@/server/http/page-context";

export const dynamic = "force-dynamic";

const LOOP = [
  {
    step: "Record",
    text: "Robots record RLDS episodes — joint states, actions, camera frames — and upload them with their own device key.",
  },
  {
    step: "Validate",
    text: "Every episode is unpacked safely, normalized from the formats robots in the field already write, checked step by step and scored.",
  },
  {
    step: "Train",
    text: "Operators build datasets from filters; Colab or TPU notebooks claim jobs, stream metrics back and register models with lineage.",
  },
  {
    step: "Ship",
    text: "Models become signed OTA bundles, rolled out staged → canary → production with approvals, health gates and rollback.",
  },
  {
    step: "Reach",
    text: "Owners open remote sessions: a WebRTC data channel to the robot, relayed when peer-to-peer fails, bound to a proof of ownership.",
  },
];

const FEATURES = [
  {
    title: "A registry robots can trust",
    text: "Each robot holds an Ed25519 key. Every request it makes is signed (HTTP Message Signatures, RFC 9421) — no shared admin key on a fleet of devices.",
  },
  {
    title: "Episodes you can actually open",
    text: "Scrub a 100 000-step episode as fast as a 100-step one: synced camera frames, joint and action charts, validation markers on the timeline, deep links.",
  },
  {
    title: "Training that closes the loop",
    text: "Jobs with leases, live loss curves, a model registry that knows which episodes fed which model — and a slow loop that queues the next run by itself.",
  },
  {
    title: "Rollouts that stop themselves",
    text: "Deterministic cohorts, error thresholds that apply only after a minimum sample, automatic pause with the reason shown, one-click rollback.",
  },
  {
    title: "Remote access with proof",
    text: "A session needs the owner's account and a claim proof the robot signed on its own LAN. Tokens last an hour and every connection is audited.",
  },
  {
    title: "Runs on a laptop, scales in Google Cloud",
    text: "SQLite and a folder by default — no account, no network. Flip two variables for Firestore, Cloud Storage and Cloud Run; the same tests pass on both.",
  },
];

export default async function LandingPage() {
  const session = await getPageSession();
  return (
    <div className="flex min-h-screen flex-col">
      <SiteHeader signedIn={session !== null} />
      <main className="flex-1">
        <section className="bg-ink-950 text-white">
          <div className="mx-auto grid max-w-6xl grid-cols-[minmax(0,1fr)] gap-10 px-4 py-16 sm:py-24 lg:grid-cols-[minmax(0,1.1fr)_minmax(0,0.9fr)] lg:items-center">
            <div>
              <p className="text-sm font-medium tracking-wide text-brand-300 uppercase">
                The cloud half of self-learning robots
              </p>
              <h1 className="mt-3 text-3xl leading-tight font-semibold tracking-tight break-words sm:text-5xl">
                From a robot&apos;s first episode to its next model — one platform.
              </h1>
              <p className="mt-5 max-w-xl text-lg leading-8 text-slate-300">
                continuon.cloud registers your robots, ingests and replays what they record, coordinates training in
                Colab or on TPUs, ships the trained models back as signed over-the-air bundles, and lets owners reach
                their robots from anywhere. Instead of stitching a data viewer, an update server and a tunnel service
                together.
              </p>
              <div className="mt-8 flex flex-wrap gap-3">
                <Link
                  href={session ? "/console" : "/signup"}
                  className={buttonClass("primary", "md", "h-11 px-5 text-base")}
                >
                  {session ? "Open the console" : "Start on your machine"}
                </Link>
                <Link
                  href="/docs/getting-started"
                  className={buttonClass(
                    "secondary",
                    "md",
                    "h-11 border-white/20 bg-white/5 px-5 text-base text-white hover:bg-white/10",
                  )}
                >
                  Read the quick start
                </Link>
              </div>
            </div>
            <div className="min-w-0 overflow-x-auto rounded-xl border border-white/10 bg-black/40 p-4 font-mono text-xs leading-6 whitespace-nowrap text-slate-200 shadow-2xl sm:p-5 sm:text-sm">
              <div className="mb-3 text-xs text-slate-400"># a robot says it is alive — signed with its device key</div>
              <div>
                <span className="text-brand-300">POST</span> /api/rcan/heartbeat
              </div>
              <div className="text-slate-400">Content-Digest: sha-256=:X48E9q…:</div>
              <div className="text-slate-400">Signature-Input: sig1=(&quot;@method&quot; &quot;@authority&quot;</div>
              <div className="pl-4 text-slate-400">
                &quot;@path&quot; &quot;content-digest&quot;);keyid=&quot;14d4b680&quot;
              </div>
              <div className="pl-4 text-slate-400">;alg=&quot;ed25519&quot;;created=…;expires=…;nonce=…</div>
              <div className="text-slate-400">Signature: sig1=:wqcAqbmYJ2ji…:</div>
              <div className="mt-3">{`{"status": "online", "battery": 0.82}`}</div>
              <div className="mt-4 text-xs text-slate-400"># → 200</div>
              <div>{`{"next_heartbeat_s": 60, "pending": {"ota": null}}`}</div>
            </div>
          </div>
        </section>

        <section className="mx-auto max-w-6xl px-4 py-16">
          <h2 className="text-2xl font-semibold tracking-tight">The loop it runs</h2>
          <ol className="mt-8 grid gap-4 sm:grid-cols-2 lg:grid-cols-5">
            {LOOP.map((item, index) => (
              <li key={item.step} className="rounded-lg border border-slate-200 p-4">
                <div className="text-xs font-semibold text-brand-700">
                  {index + 1}. {item.step}
                </div>
                <p className="mt-2 text-sm leading-6 text-slate-600">{item.text}</p>
              </li>
            ))}
          </ol>
        </section>

        <section className="border-y border-slate-200 bg-slate-50">
          <div className="mx-auto grid max-w-6xl gap-6 px-4 py-16 sm:grid-cols-2 lg:grid-cols-3">
            {FEATURES.map((feature) => (
              <div key={feature.title}>
                <h3 className="font-semibold text-slate-900">{feature.title}</h3>
                <p className="mt-2 text-sm leading-6 text-slate-600">{feature.text}</p>
              </div>
            ))}
          </div>
        </section>

        <section className="mx-auto max-w-6xl px-4 py-16">
          <div className="grid gap-8 lg:grid-cols-2 lg:items-center">
            <div>
              <h2 className="text-2xl font-semibold tracking-tight">Try it with a simulated fleet</h2>
              <p className="mt-3 leading-7 text-slate-600">
                One command installs and starts continuon.cloud on its embedded storage, with a few simulated robots
                that register, heartbeat, record episodes with camera frames, take updates and accept remote sessions.
                Create the first account — it becomes the admin — and every page is alive.
              </p>
              <Link
                href="/docs/getting-started"
                className="mt-4 inline-block font-medium text-brand-700 hover:underline"
              >
                Getting started →
              </Link>
            </div>
            <pre className="overflow-x-auto rounded-lg bg-ink-950 p-5 text-sm leading-6 text-slate-100">
              <code>{`git clone <your fork> continuon-cloud && cd continuon-cloud
npm install && npm run demo
# open http://localhost:3000 and create the first account`}</code>
            </pre>
          </div>
        </section>
      </main>
      <SiteFooter />
    </div>
  );
}
