/**
 * The shell examples of the ingestion docs, kept as data so the page shows them and an API spec
 * (`tests/api/episodes-docs.spec.ts`) runs them, unchanged, against a real server.
 */

/** A signed robot request with nothing but bash, openssl 3 and curl (RFC 9421, ed25519). */
export const SIGN_FUNCTION = `# Who you are and where the cloud is:
export CC_URL=https://continuon.cloud      # the deployment's PUBLIC_URL
export DEVICE_ID=14d4b680                  # the robot's device id
export KEY=./robot/device_key.pem          # its Ed25519 private key (PKCS#8 PEM)

# cc_signed METHOD PATH[?QUERY] [BODY_FILE CONTENT_TYPE [more curl arguments…]]
cc_signed() {
  local method=$1 target=$2 file=\${3:-} type=\${4:-}; shift $(( $# < 4 ? $# : 4 ))
  local authority=\${CC_URL#*://}; authority=\${authority%%/*}
  local path=\${target%%\\?*} query="" tmp; tmp=$(mktemp)
  [[ $target == *\\?* ]] && query="?\${target#*\\?}"
  local created; created=$(date +%s)
  local comps='"@method" "@authority" "@path"' body=()
  printf '"@method": %s\\n"@authority": %s\\n"@path": %s' "$method" "$authority" "$path" > "$tmp"
  if [ -n "$query" ]; then comps="$comps \\"@query\\""; printf '\\n"@query": %s' "$query" >> "$tmp"; fi
  if [ -n "$file" ]; then
    local digest="sha-256=:$(openssl dgst -sha256 -binary "$file" | base64 -w0):"
    comps="$comps \\"content-digest\\""; printf '\\n"content-digest": %s' "$digest" >> "$tmp"
    body=(-H "Content-Digest: $digest" -H "Content-Type: $type" --data-binary "@$file")
  fi
  local params="($comps);created=$created;expires=$((created + 300));nonce=\\"$(openssl rand -hex 16)\\";keyid=\\"$DEVICE_ID\\";alg=\\"ed25519\\""
  printf '\\n"@signature-params": %s' "$params" >> "$tmp"
  local sig; sig=$(openssl pkeyutl -sign -inkey "$KEY" -rawin -in "$tmp" | base64 -w0); rm -f "$tmp"
  curl -sS -X "$method" "$CC_URL$target" -H "Signature-Input: sig1=$params" -H "Signature: sig1=:$sig:" \${body[@]+"\${body[@]}"} "$@"
}`;

/** The robot API flow: signed-url → PUT → ingest (expects EPISODE_DIR and EPISODE_ID). */
export const ARCHIVE_FLOW = `# An episode directory as robots write it: metadata.json, steps/000000.jsonl, blobs/…
tar -czf episode.tar.gz -C "$EPISODE_DIR" .
SIZE=$(stat -c %s episode.tar.gz)
SUM=$(sha256sum episode.tar.gz | cut -d' ' -f1)

# 1. Ask for an upload URL (the episode is recorded as raw, upload pending)
printf '{"robot_id":"%s","episode_id":"%s","format":"tar.gz","size_bytes":%s,"metadata":{"step_count":%s}}' \\
  "$DEVICE_ID" "$EPISODE_ID" "$SIZE" "$(cat "$EPISODE_DIR"/steps/*.jsonl | wc -l)" > request.json
cc_signed POST /api/rlds/signed-url request.json application/json > grant.json

# 2. PUT the archive to the URL with every header it lists (the URL is the credential; PUT again as often as needed)
jq -r '.headers | to_entries[] | "header = \\"\\(.key): \\(.value)\\""' grant.json > put-headers.curl
curl -sS --fail -X PUT "$(jq -r .upload_url grant.json)" -K put-headers.curl --data-binary @episode.tar.gz > /dev/null

# 3. Ingest: the cloud recomputes the checksum, validates, promotes (or quarantines) and answers the verdict
printf '{"episode_ref":"%s","checksum":"sha256:%s"}' "$(jq -r .episode_ref grant.json)" "$SUM" > ingest.json
cc_signed POST /api/rlds/ingest ingest.json application/json | jq '{status, episode_id, training_eligible, errors}'`;

/** The XR app's upload: one POST with the ZIP and its tags (expects EPISODE_DIR and EPISODE_ID). */
export const XR_FLOW = `(cd "$EPISODE_DIR" && zip -qr - .) > episode.zip
cc_signed POST "/api/rlds/upload?episode_id=$EPISODE_ID" episode.zip application/zip \\
  -H "X-Continuon-Tag-xr_mode: trainer" -H "X-Continuon-Tag-control_role: human_teleop" \\
  -H "X-Continuon-Tag-environment_id: lab" -H "X-Continuon-Tag-list: pick,place" | jq '{status, episode_id, variant}'`;

/** The Flutter app's flow: {metadata} → PUT the JSON document (again as it grows); the cloud ingests when PUTs stop. */
export const JSON_PUT_FLOW = `printf '{"metadata":{"episode_id":"%s","xr_mode":"trainer"}}' "$EPISODE_ID" > request.json
cc_signed POST /api/rlds/signed-url request.json application/json > grant.json   # {"upload_url", "auto_ingest_after_s", …}
cc_signed PUT "/api/rlds/upload/$EPISODE_ID" episode.json application/json       # {"puts": 1, "ingest_after": "…"}`;

/** A robot's own episodes (the seed's list call). */
export const LIST = `cc_signed GET "/api/rlds/list?status=validated&limit=10" | jq '.episodes[] | {episode_id, status, quality}'`;
