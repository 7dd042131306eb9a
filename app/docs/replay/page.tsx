import type { Metadata } from "next";
import Link from "next/link";
import { SHORTCUTS } from "@/components/replay/shortcuts";

export const metadata: Metadata = { title: "Episode replay" };

export default function ReplayDocs() {
  return (
    <>
      <h1>Episode replay</h1>
      <p>
        Every validated episode can be replayed step by step in the console (
        <em>Episodes → an episode → Open replay</em>, or <code>/console/episodes/&#123;episode_id&#125;/replay</code>):
        its camera frames, charts of its numeric fields with a cursor at the current step, and the raw step as stored,
        all on one timeline. Two episodes can be compared side by side. Owners replay the episodes of the robots they
        own; operators and admins replay every episode (the same rule as the episode pages).
      </p>

      <h2 id="page">The replay page</h2>
      <ul>
        <li>
          <strong>Frames</strong>: one view per camera stream whose frames were uploaded with the episode (
          <code>observation.video_frame_id</code>, <code>observation.depth_frame_id</code>). A step without its own
          frame id shows the camera&apos;s latest earlier frame. While a frame loads, the nearest loaded frame stays on
          screen, marked <em>nearest loaded frame</em>; the view never goes blank. Frame ids resolve to a file of{" "}
          <code>blobs/</code> of the same name; in a robot runtime package, whose ids (<code>frame_&lt;ns&gt;</code>)
          name no file, each step shows its own <code>step_NNNN_rgb</code> / <code>step_NNNN_depth</code> frame. NumPy
          frames (<code>.npy</code>) are shown through the PNG made from them at ingest (
          <Link href="/docs/formats#npy-frames">formats</Link>).
        </li>
        <li>
          <strong>Timeline</strong>: drag to scrub, click to jump. The readout shows the step and the time since the
          first step. Grey segments are the steps the page holds; validation warnings that name a step (gaps, clock
          skew…) are markers above the track — click one to go there.
        </li>
        <li>
          <strong>Playback</strong> follows the steps&apos; own clock: at 1× one second of the recording takes one
          second, whatever the step rate, and uneven rates replay as recorded. Speeds 0.1× to 8×. An episode without a
          step clock plays at its declared rate (duration ÷ steps). If the next steps have not arrived yet, playback
          waits for them (<em>buffering</em>) instead of skipping.
        </li>
        <li>
          <strong>Loop</strong>: <em>In</em> and <em>Out</em> set the range from the cursor; <em>Loop</em> plays it over
          and over.
        </li>
        <li>
          <strong>Charts</strong> (recharts): actions, joint positions, joint velocities, reward, and any other numeric
          field. Each field is drawn as the band between the minimum and maximum of the steps under each pixel, so a
          one-step spike shows at any zoom. Drag across a chart to zoom into a range; once the range has fewer steps
          than the chart has pixels, every step is drawn. Double-click (or <em>Zoom out</em>) to see the whole episode.
        </li>
        <li>
          <strong>Fields</strong>: the numeric fields are discovered from the episode itself (every number or boolean
          under <code>observation</code>, <code>action</code> and the step, array elements included), whatever its
          shape. Paths containing <code>joint_positions</code> or <code>joint_velocities</code> go to those panels,
          everything under <code>action</code> to Actions, and the rest to Other. By default up to 7 fields of each
          group and the reward are charted; <em>Fields</em> picks others. Strings, ids and nested text appear in the
          step&apos;s JSON below the frames, exactly as stored (numbers keep all their digits).
        </li>
        <li>
          <strong>Deep links</strong>: the address bar always points at what is shown. <em>Copy link</em> copies it.
        </li>
      </ul>
      <table>
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Meaning</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>step</code>
            </td>
            <td>The step to open at (0-based).</td>
          </tr>
          <tr>
            <td>
              <code>fields</code>
            </td>
            <td>
              Charted fields, comma-separated paths, e.g. <code>action.command[0],reward</code>. Unknown paths are
              ignored.
            </td>
          </tr>
          <tr>
            <td>
              <code>speed</code>
            </td>
            <td>Playback speed, 0.1 to 8.</td>
          </tr>
          <tr>
            <td>
              <code>loop</code>
            </td>
            <td>
              A loop range <code>start-end</code> (steps, inclusive), playing in a loop.
            </td>
          </tr>
        </tbody>
      </table>

      <h3 id="keys">Keyboard shortcuts</h3>
      <table>
        <tbody>
          {SHORTCUTS.map(([keys, action]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{action}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="compare">Comparing two episodes</h2>
      <p>
        <code>/console/episodes/compare?a=&#123;episode_id&#125;&amp;b=&#123;episode_id&#125;&amp;align=step|time</code>{" "}
        (or <em>Compare…</em> on a replay) shows both episodes side by side, each with its frames and charts, under one
        timeline and one set of controls. <strong>By step</strong>: position <em>p</em> is step <em>p</em> of both (the
        shorter one holds its last step), timed by the longer one&apos;s clock. <strong>By time</strong>: both show the
        same moment since their own first step, so a 10 Hz and a 30 Hz recording of the same motion line up. Switching
        keeps the left episode where it is.
      </p>

      <h2 id="loading">How long episodes stay fast</h2>
      <p>
        Ingest builds a replay index next to the canonical episode (<Link href="/docs/formats">formats</Link>): the byte
        offset of every step in <code>steps.jsonl</code>, the step clock, and every numeric field in a compact binary
        form with a min/max pyramid (blocks of 16, 256, 4 096… steps). The page never loads an episode whole:
      </p>
      <ul>
        <li>
          The first paint carries the summary and a few steps, and the first frame is an image in the HTML, so it shows
          before the page&apos;s scripts run; a 100 000-step episode opens as fast as a 100-step one.
        </li>
        <li>
          Steps arrive in windows of 64 around the cursor, read with byte ranges through the offsets; the cursor&apos;s
          window first, then further ahead in the play direction the faster it plays. The cursor&apos;s frame is one
          request of its own (by step before its window is here, so a far jump paints after one round trip); the frames
          around it come in <em>frame packs</em>, all the frames of 64 steps in one answer, so playing a 30 Hz camera at
          8× costs a few requests a second, not 240.
        </li>
        <li>
          The page keeps at most 16 MB of step text, 32 MB of packed (compressed) frames and 48 MB of decoded frames,
          decoding packed frames as the cursor comes near. Past a budget it drops what is farthest from the cursor, not
          what was used least recently: scrubbing returns to where it was, and playback needs what lies ahead.
        </li>
        <li>
          Moving the cursor cancels the requests it left behind (aborted fetches). While it moves, only one frame
          request is in flight (the next one starts from wherever the cursor is when it lands) and the step text waits
          until the cursor rests, so a long drag costs one request per round trip and stays within the per-user request
          limit.
        </li>
        <li>Charts ask for one min/max bucket per pixel, whatever the episode&apos;s length.</li>
      </ul>
      <p>
        <code>npm run bench:replay</code> measures this in Chromium against the built server, each figure beside a floor
        measured in the same run: time to first frame for a 100-step and a 100 000-step episode (target under 1 s), the
        p50/p95 latency from moving the cursor to that step&apos;s frame painted over 200 random seeks (target p95 under
        100 ms), and the page&apos;s peak JS heap (target under 200 MB). On the 2-core development machine, with other
        work running, one run gave: first frame about 0.2 s for both episodes (a bare page showing the same frame: 0.08
        s), scrub p50 45 ms and p95 85 ms (bare fetch-and-paint: 23 and 49 ms), peak heap 36 MB.
      </p>

      <h2 id="api">Replay API</h2>
      <p>
        The page uses these routes; they take the console session (cookie) or, on a cloud deployment, a Firebase ID
        token (<code>Authorization: Bearer</code>). Errors are the usual{" "}
        <code>
          &#123;&quot;error&quot;: &#123;&quot;code&quot;, &quot;message&quot;, &quot;reason&quot;&#125;&#125;
        </code>
        ; an episode the caller may not see is <code>404 episode_not_found</code>, as if it did not exist.
      </p>
      <table>
        <thead>
          <tr>
            <th>Route</th>
            <th>Answer</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <code>GET /api/console/episodes/&#123;id&#125;/replay</code>
            </td>
            <td>
              Summary: <code>step_count</code>, <code>clock_source</code>, <code>first_us</code>/<code>last_us</code>,{" "}
              <code>duration_us</code>, <code>period_us</code>, <code>time_samples</code> (256 evenly spaced step/time
              pairs), <code>fields[]</code> (path, source, group, min, max, count), <code>frame_streams[]</code>,{" "}
              <code>markers[]</code> (validation issues with a step).
            </td>
          </tr>
          <tr>
            <td>
              <code>GET …/replay/steps?from=&amp;to=</code>
            </td>
            <td>
              Steps <code>[from, to)</code>: <code>index</code>, <code>t_us</code>, <code>json</code> (the line as
              stored), <code>frames</code> (frame id per stream). At most 1 000 steps or 2 MiB; <code>to</code> in the
              answer says where it stopped. <code>Cache-Control: private, max-age=3600</code>.
            </td>
          </tr>
          <tr>
            <td>
              <code>GET …/replay/series?field=…&amp;field=…&amp;from=&amp;to=&amp;buckets=</code>
            </td>
            <td>
              Up to 16 fields in at most <code>buckets</code> (≤ 4 000, default 600) buckets each, as parallel arrays{" "}
              <code>start</code>, <code>end</code>, <code>min</code>, <code>max</code>; <code>full_resolution</code>{" "}
              when every bucket is one step.
            </td>
          </tr>
          <tr>
            <td>
              <code>GET …/replay/frames?stream=&amp;id=</code> or <code>?stream=&amp;step=</code>
            </td>
            <td>
              The frame image. Locally: the bytes, streamed, with <code>ETag</code>, <code>Last-Modified</code>,{" "}
              <code>Cache-Control: private</code>, conditional requests (<code>If-None-Match</code> /{" "}
              <code>If-Modified-Since</code> → 304, <code>If-Range</code>) and <code>Range</code> support (206, 416{" "}
              <code>range_not_satisfiable</code>), as for <Link href="/docs/ota/robot-api#download">OTA downloads</Link>
              . In the cloud: <code>302</code> to a short-lived signed Cloud Storage URL. <code>X-Frame-Id</code> (and{" "}
              <code>X-Frame-Step</code> by step) say which frame it is; by step, a step without a frame gets the latest
              one within 256 steps before it. <code>stream</code> is the stream&apos;s field (
              <code>observation.depth_frame_id</code>) or, when only one stream has it, its kind (<code>video</code>,{" "}
              <code>depth</code>); without it, the first stream. The same holds for frame packs.
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        <code>GET …/replay/frames/pack?stream=&amp;from=&amp;to=</code> answers the frames of steps{" "}
        <code>[from, to)</code> (at most 256 steps or 4 MiB; <code>to</code> in the header says where it stopped) as{" "}
        <code>application/vnd.continuon.frame-pack</code>: a little-endian u32 header length, the header as JSON (
        <code>&#123;stream, from, to, frames: [&#123;id, steps[], offset, length, content_type&#125;]&#125;</code>, each
        distinct frame once with the steps that show it), then the frames&apos; bytes at their offsets.
      </p>
      <pre>
        <code>{`curl -b cookies.txt "https://continuon.cloud/api/console/episodes/ep_123/replay/steps?from=0&to=2"
{"episode_id":"ep_123","from":0,"to":2,"step_count":1800,"steps":[
  {"index":0,"t_us":1764979200000000,"json":"{\\"observation\\":{…},\\"action\\":{…},…}","frames":["frame_000000"]},
  {"index":1,"t_us":1764979200033333,"json":"…","frames":["frame_000001"]}]}`}</code>
      </pre>
      <table>
        <thead>
          <tr>
            <th>Status / reason</th>
            <th>When</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              404 <code>episode_not_found</code>
            </td>
            <td>No such episode, or not one of the caller&apos;s robots.</td>
          </tr>
          <tr>
            <td>
              404 <code>replay_unavailable</code>
            </td>
            <td>The episode is still being ingested, or was rejected (quarantine).</td>
          </tr>
          <tr>
            <td>
              404 <code>replay_index_missing</code>
            </td>
            <td>Stored without a replay index; re-validating it builds one.</td>
          </tr>
          <tr>
            <td>
              400 <code>step_range_invalid</code>
            </td>
            <td>A step or range outside the episode.</td>
          </tr>
          <tr>
            <td>
              404 <code>field_not_found</code>
            </td>
            <td>A series field the episode does not chart (named in the message).</td>
          </tr>
          <tr>
            <td>
              404 <code>frame_stream_not_found</code>, <code>frame_not_found</code>
            </td>
            <td>No such frame stream, or no such frame in it.</td>
          </tr>
          <tr>
            <td>
              400 <code>invalid_input</code>
            </td>
            <td>
              A malformed query (e.g. <code>to</code> before <code>from</code>, a frame id with a path in it, both{" "}
              <code>id</code> and <code>step</code>).
            </td>
          </tr>
        </tbody>
      </table>
      <h3 id="cors">Cloud Storage and the browser</h3>
      <p>
        In the cloud the page fetches frames through the signed-URL redirect, so that a scrub can cancel them. Give the
        bucket a CORS rule allowing <code>GET</code> from the console&apos;s origin (e.g.{" "}
        <code>gcloud storage buckets update gs://BUCKET --cors-file=cors.json</code> with{" "}
        <code>
          [&#123;&quot;origin&quot;: [&quot;https://continuon.cloud&quot;], &quot;method&quot;: [&quot;GET&quot;],
          &quot;maxAgeSeconds&quot;: 3600&#125;]
        </code>
        ). Without it the page still works: it falls back to plain image loads, which cannot be cancelled.
      </p>
    </>
  );
}
