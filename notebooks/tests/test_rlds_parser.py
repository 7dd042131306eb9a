import gzip
import io
import json
import os
import unittest

from support import FIXTURES
from utils import rlds_parser


class TfrecordFixtures(unittest.TestCase):
    """Files written by the robot runtime's converter (tests/fixtures/upstream/tfrecord)."""

    def read(self, name):
        with open(os.path.join(FIXTURES, "tfrecord", f"{name}.tfrecord"), "rb") as handle:
            return rlds_parser.read_tfrecord_steps(handle)

    def test_reads_every_record_of_the_field_files(self):
        self.assertEqual([len(self.read(n)) for n in ("pi5_follow_synthetic", "sample_pi5_mock", "studio_mock_editor")], [5, 2, 3])

    def test_decodes_features_like_the_runtime_wrote_them(self):
        steps = self.read("studio_mock_editor")
        self.assertEqual(steps[0]["episode_id"], "studio_mock_editor")
        self.assertEqual([s["step_index"] for s in steps], [0, 1, 2])
        self.assertIsInstance(steps[0]["observation"], dict)
        self.assertEqual(steps[0]["step_metadata"]["language_instruction"], "Mock Studio episode")
        self.assertAlmostEqual(steps[0]["action_command"][1], 0.1, places=6)
        mock = self.read("sample_pi5_mock")
        self.assertEqual(len(mock[0]["action_command"]), 2)

    def test_a_flipped_byte_fails_the_checksum_and_names_the_record(self):
        with open(os.path.join(FIXTURES, "tfrecord", "sample_pi5_mock.tfrecord"), "rb") as handle:
            data = bytearray(handle.read())
        data[20] ^= 0xFF
        with self.assertRaisesRegex(rlds_parser.TFRecordError, "record 0: data checksum"):
            rlds_parser.read_tfrecord_steps(io.BytesIO(bytes(data)))
        with self.assertRaisesRegex(rlds_parser.TFRecordError, "truncated"):
            rlds_parser.read_tfrecord_steps(io.BytesIO(bytes(data[:30])))

    def test_writing_and_reading_round_trips_the_framing(self):
        out = io.BytesIO()
        rlds_parser.write_tfrecord([b"one", b"", b"three" * 100], out)
        out.seek(0)
        self.assertEqual(list(rlds_parser.read_tfrecords(out)), [b"one", b"", b"three" * 100])

    def test_crc32c_matches_the_standard_check_value(self):
        self.assertEqual(rlds_parser.crc32c(b"123456789"), 0xE3069283)


class GzipTfrecords(unittest.TestCase):
    """The field's training datasets: gzip-framed TFRecords named .tfrecord (tests/fixtures/upstream/tfrecord-gzip)."""

    def test_reads_a_gzip_tfrecord_with_plain_text_step_metadata(self):
        with open(os.path.join(FIXTURES, "tfrecord-gzip", "wiki_data.tfrecord"), "rb") as handle:
            self.assertEqual(handle.read(2), b"\x1f\x8b")
            handle.seek(0)
            steps = rlds_parser.read_tfrecord_steps(handle)
        self.assertEqual(len(steps), 50)
        self.assertEqual(steps[0]["step_metadata"], "April")
        self.assertIsInstance(steps[0]["observation"]["robot_state"]["joint_positions"], list)
        self.assertTrue(all(isinstance(step["step_metadata"], str) for step in steps))
        self.assertEqual(steps[0]["action_command"], [])

    def test_gzip_and_plain_framing_give_the_same_steps(self):
        with open(os.path.join(FIXTURES, "tfrecord", "studio_mock_editor.tfrecord"), "rb") as handle:
            plain = handle.read()
        compressed = gzip.compress(plain)
        self.assertEqual(
            rlds_parser.read_tfrecord_steps(io.BytesIO(compressed)),
            rlds_parser.read_tfrecord_steps(io.BytesIO(plain)),
        )

    def test_step_metadata_keeps_json_objects_and_text(self):
        self.assertEqual(rlds_parser.step_metadata_of(b'{"k": "v"}'), {"k": "v"})
        self.assertEqual(rlds_parser.step_metadata_of(b"Pick up the cube"), "Pick up the cube")
        self.assertEqual(rlds_parser.step_metadata_of(b"[1, 2]"), "[1, 2]")
        self.assertIsNone(rlds_parser.step_metadata_of(b""))


class CanonicalSteps(unittest.TestCase):
    def test_reads_jsonl_and_derives_missing_flags(self):
        lines = b'{"observation": {"a": 1}, "action": {"command": [0.5]}}\n\n{"observation": {"a": 2}, "action": {"command": [1]}, "reward": 1}\n'
        steps = rlds_parser.read_jsonl_steps(io.BytesIO(lines))
        self.assertEqual([(s["is_first"], s["is_last"], s["reward"]) for s in steps], [(True, False, 0.0), (False, True, 1)])

    def test_a_bad_line_is_named(self):
        with self.assertRaisesRegex(ValueError, "line 2"):
            rlds_parser.read_jsonl_steps(io.BytesIO(b'{"observation": {}}\n{oops\n'))
        with self.assertRaisesRegex(ValueError, "line 1: a step is a JSON object"):
            rlds_parser.read_jsonl_steps(io.BytesIO(b"[1, 2]\n"))

    def test_field_episode_variants_parse(self):
        path = os.path.join(FIXTURES, "episodes", "autonomous_learning_1765843752_25216cc2", "steps", "000000.jsonl")
        with open(path, "rb") as handle:
            steps = rlds_parser.read_jsonl_steps(handle)
        self.assertGreater(len(steps), 0)
        self.assertTrue(steps[0]["is_first"])


class Features(unittest.TestCase):
    def test_numeric_leaves_are_stable_and_skip_non_numbers(self):
        obs = {"b": [1, 2], "a": {"y": True, "x": 0.5, "s": "text", "n": None, "inf": float("inf")}}
        self.assertEqual(rlds_parser.numeric_leaves(obs), [("a.x", 0.5), ("a.y", 1.0), ("b[0]", 1.0), ("b[1]", 2.0)])

    def test_action_prefers_the_command_vector(self):
        self.assertEqual(rlds_parser.action_vector({"action": {"command": [1, 2], "speed": 9}}), [1.0, 2.0])
        self.assertEqual(rlds_parser.action_vector({"action": {"speed": 9, "name": "x"}}), [9.0])
        self.assertEqual(rlds_parser.action_vector({"action": {}, "action_command": [0.25]}), [0.25])

    def test_arrays_pad_and_cut_to_the_dimensions(self):
        episodes = [{"steps": [
            {"observation": {"a": 1, "b": 2, "c": 3}, "action": {"command": [1, 2]}},
            {"observation": {"a": 4}, "action": {"command": [3]}},
            {"observation": {"a": 5}, "action": {"name": "idle"}},
        ]}]
        X, Y = rlds_parser.episodes_to_arrays(episodes, obs_dim=2)
        self.assertEqual(X.shape, (2, 2))
        self.assertEqual(Y.shape, (2, 2))
        self.assertEqual(X[1].tolist(), [4.0, 0.0])
        self.assertEqual(Y[1].tolist(), [3.0, 0.0])
        with self.assertRaisesRegex(ValueError, "no step has a numeric action"):
            rlds_parser.episodes_to_arrays([{"steps": [{"observation": {}, "action": {"name": "x"}}]}])


if __name__ == "__main__":
    unittest.main()
