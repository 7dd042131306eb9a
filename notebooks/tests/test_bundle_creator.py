import io
import json
import os
import tarfile
import tempfile
import unittest

import support  # noqa: F401

from utils import bundle_creator


class Bundles(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.model = os.path.join(self.tmp.name, "model")
        os.makedirs(os.path.join(self.model, "config"))
        with open(os.path.join(self.model, "seed_model.npz"), "wb") as handle:
            handle.write(b"weights")
        with open(os.path.join(self.model, "config", "model_config.json"), "w") as handle:
            json.dump({"obs_dim": 6}, handle)

    def tearDown(self):
        self.tmp.cleanup()

    def test_manifest_at_the_root_files_with_checksums_and_provenance(self):
        out = os.path.join(self.tmp.name, "b.bundle")
        manifest = bundle_creator.create_bundle(self.model, out, "1.2.0", "companion-v1", provenance={"model_id": "mdl_1"})
        self.assertEqual([f["path"] for f in manifest["files"]], ["config/model_config.json", "seed_model.npz"])
        with tarfile.open(out) as bundle:
            names = bundle.getnames()
        self.assertEqual(names[0], "manifest.json")
        self.assertIn("CHECKSUMS.sha256", names)
        checked = bundle_creator.verify_bundle(out)
        self.assertEqual(checked["provenance"], {"model_id": "mdl_1"})
        self.assertEqual(checked["version"], "1.2.0")

    def test_versions_robots_would_misread_are_refused(self):
        for bad in ("v1.0.0", "1.0", "1.0.0-rc1"):
            with self.assertRaisesRegex(ValueError, "MAJOR.MINOR.PATCH"):
                bundle_creator.create_bundle(self.model, os.path.join(self.tmp.name, "x"), bad, "companion-v1")

    def test_verify_refuses_escaping_entries_links_and_tampering(self):
        def bundle_with(entries, link=False):
            path = os.path.join(self.tmp.name, f"t{len(os.listdir(self.tmp.name))}.bundle")
            with tarfile.open(path, "w:gz") as out:
                for name, data in entries:
                    info = tarfile.TarInfo(name)
                    info.size = len(data)
                    out.addfile(info, io.BytesIO(data))
                if link:
                    info = tarfile.TarInfo("evil")
                    info.type = tarfile.SYMTYPE
                    info.linkname = "/etc/passwd"
                    out.addfile(info)
            return path

        manifest = json.dumps({"version": "1.0.0", "files": [{"path": "m.npz", "sha256": "0" * 64}]}).encode()
        with self.assertRaisesRegex(ValueError, "escapes"):
            bundle_creator.verify_bundle(bundle_with([("manifest.json", manifest), ("../m.npz", b"x")]))
        with self.assertRaisesRegex(ValueError, "is a link"):
            bundle_creator.verify_bundle(bundle_with([("manifest.json", manifest)], link=True))
        with self.assertRaisesRegex(ValueError, "does not match its checksum"):
            bundle_creator.verify_bundle(bundle_with([("manifest.json", manifest), ("m.npz", b"x")]))
        with self.assertRaisesRegex(ValueError, "manifest.json is missing"):
            bundle_creator.verify_bundle(bundle_with([("m.npz", b"x")]))


if __name__ == "__main__":
    unittest.main()
