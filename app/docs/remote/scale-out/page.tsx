import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Relay scale-out" };

const SHARDING = `RELAY_SHARDS = wss://relay-0.continuon.cloud, wss://relay-1.continuon.cloud, …, wss://relay-7.continuon.cloud

shard(device_id) = the live shard s with the highest  sha256(device_id + "/" + s.name)      (rendezvous hashing)

verify            → robot_endpoint = shard(14d4b680).url + /api/remote/signal/14d4b680
robot connects    → wss://relay-3…/api/remote/signal/14d4b680          (its own shard: accepted)
robot, wrong shard → 421 {"error": {"code": "conflict", "reason": "wrong_relay",
                          "relay_url": "wss://relay-5…/api/remote/signal/14d4b680"}}   → reconnect there`;

export default function RelayScaleOut() {
  return (
    <>
      <h1>Relay scale-out</h1>
      <p>
        The relay forwards between the two ends of a session in memory, so a robot and every client of its sessions must
        be connected to the same relay instance. On the embedded default and on a single Cloud Run instance that is
        automatic. This page is the design for more than one instance: routing by robot id, and what happens when an
        instance dies. It builds on what the relay already does: the relay URL names the robot (
        <code>/api/remote/signal/&#123;device_id&#125;</code>), every live fact that matters is written to{" "}
        <code>remote_sessions</code> (status, the holding <code>relay_instance</code>, path, traffic every five
        seconds), revocation is read back from the store, expiry is in the token, and both ends reconnect on their own.
      </p>

      <h2 id="routing">Routing a robot and its clients to one instance</h2>
      <p>
        Cloud Run gives no stable address per instance and its session affinity is a best-effort cookie, so the instance
        cannot be chosen by the load balancer from the path. Instead the relay runs as a fixed set of{" "}
        <strong>shards</strong> — the same container image deployed as services <code>relay-0</code> …{" "}
        <code>relay-N-1</code>, each with one instance (<code>min-instances=max-instances=1</code>, CPU always
        allocated, session affinity on, a long request timeout for WebSockets) — and the product, not the load balancer,
        decides which shard a robot lives on:
      </p>
      <pre>
        <code>{SHARDING}</code>
      </pre>
      <ul>
        <li>
          <strong>Rendezvous (highest-random-weight) hashing</strong> of the device id over the shard names: every
          instance and the API compute the same answer with no coordination, and adding or removing a shard moves only
          the robots whose top choice changed (about 1/N of them), not everyone.
        </li>
        <li>
          <strong>Clients</strong> get the right shard from <code>POST /api/remote/verify</code> (
          <code>robot_endpoint</code>) and, after a disconnect, from <code>GET /api/remote/session</code> (its{" "}
          <code>relay_endpoint</code> is recomputed from the live shard list).
        </li>
        <li>
          <strong>Robots</strong> keep connecting to the URL they were given (their relay URL can also come in the
          heartbeat answer). A shard that receives a robot or a client for a device it does not own answers{" "}
          <code>421 wrong_relay</code> with the right URL instead of accepting it, so a stale URL costs one extra round
          trip and can never split a robot from its clients.
        </li>
        <li>
          The HTTP API (verify, session, revoke, the console) stays on the autoscaled app service; relay shards serve
          only <code>/api/remote/signal</code>. The route handler&apos;s live view (<code>live</code>) is then empty on
          the app service, and the console reads the store&apos;s view, which the holding shard refreshes every five
          seconds.
        </li>
        <li>
          Capacity: the benchmark (<code>npm run bench:relay</code>) shows what one instance carries; shards are added
          before the busiest one passes half of that. The alternative on GKE is one relay Deployment behind an
          Envoy/Gateway with <code>RING_HASH</code> load balancing on the device id in the path: the same idea, with the
          hashing in the proxy.
        </li>
      </ul>

      <h2 id="membership">Which shards are live</h2>
      <p>
        Each shard writes <code>relay_instances/&#123;shard&#125;</code> every ten seconds with a lease of thirty. The
        shard function ranks the configured shards and takes the first one whose lease is current. A shard that stops
        renewing drops out of every ranking within thirty seconds; its robots&apos; next choice is the shard that was
        second in their ranking (and only theirs move). When it comes back, the same robots move back at their next
        reconnect; a robot connected elsewhere meanwhile is told <code>wrong_relay</code> only when it reconnects, never
        cut off while its sessions run.
      </p>

      <h2 id="failure">When an instance dies</h2>
      <ol>
        <li>
          <strong>Connections drop.</strong> Robots see the close and reconnect with backoff and jitter (0.5 s doubling
          to 30 s), each with a freshly signed upgrade (nonces are in the store, so a replay to another instance fails
          too). Clients reconnect with the same token (it is bound to user, robot and session, not to an instance).
        </li>
        <li>
          <strong>Sessions survive.</strong> The store, not the instance, says whether a session is live: a reconnecting
          client is authorized again from its token and the session document (still <code>active</code>, same expiry,
          ownership re-checked), the new instance records itself as <code>relay_instance</code>, tells the robot{" "}
          <code>peer_joined</code> when it is back, and the client renegotiates WebRTC. What is lost: up to five seconds
          of traffic counts not yet written, and the 30-second grace timer, which starts again.
        </li>
        <li>
          <strong>Direct sessions keep working.</strong> A WebRTC data channel (direct or through TURN) does not pass
          through the relay: telemetry and commands continue while the relay restarts; only renegotiation waits for it.
          Relayed sessions pause until both ends are back (seconds for a restart; at most the lease timeout plus a
          backoff step when the shard is gone).
        </li>
        <li>
          <strong>Nothing stays half-open.</strong> Sessions whose token expired while no instance held them are ended
          by the store sweep every live instance runs (<code>expired_unused</code> or <code>token_expired</code>, with
          their audit entries); revocations written while a shard was down apply when the session reconnects (the token
          no longer opens it) or at the holding shard&apos;s next sweep.
        </li>
      </ol>

      <h2 id="cross-instance">What is per instance and what is shared</h2>
      <table>
        <thead>
          <tr>
            <th>Concern</th>
            <th>Where it lives</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>Session status, expiry, revocation, path, traffic, holding instance</td>
            <td>
              <code>remote_sessions</code> (the source of truth)
            </td>
          </tr>
          <tr>
            <td>Robot signature nonces</td>
            <td>
              <code>robot_nonces</code> (a replay is refused on every instance)
            </td>
          </tr>
          <tr>
            <td>Revocation reaching a live connection</td>
            <td>at once on the instance that revoked; within one sweep (five seconds) on the holding shard</td>
          </tr>
          <tr>
            <td>Message and byte rate limits</td>
            <td>per connection, in the holding instance (a connection lives on one instance)</td>
          </tr>
          <tr>
            <td>Failed-upgrade brake per address</td>
            <td>per instance (a brake, not the protection: every upgrade is authenticated)</td>
          </tr>
          <tr>
            <td>Audit</td>
            <td>
              <code>audit_log</code>, written by whichever instance saw the event
            </td>
          </tr>
        </tbody>
      </table>

      <h2 id="status">What runs today</h2>
      <p>
        One relay per process (the embedded default, one Cloud Run service). The URL form, the store-backed session
        state, cross-instance revocation by sweep, the expiry sweep, token binding and both ends&apos; reconnection are
        in place; the shard list (<code>RELAY_SHARDS</code>), the <code>421 wrong_relay</code> answer and the{" "}
        <code>relay_instances</code> leases are the parts to add for the first deployment with more than one relay. See
        also <Link href="/docs/remote">Remote sessions</Link> and <Link href="/docs/architecture">Architecture</Link>.
      </p>
    </>
  );
}
