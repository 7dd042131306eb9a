import glob
import os
import unittest

import nbformat

from support import NOTEBOOKS


class Notebooks(unittest.TestCase):
    def test_the_four_notebooks_are_valid_with_outputs_stripped_and_a_parameters_cell(self):
        paths = sorted(glob.glob(os.path.join(NOTEBOOKS, "*.ipynb")))
        self.assertEqual(
            [os.path.basename(p) for p in paths],
            ["01_seed_model_training.ipynb", "02_slow_loop_training.ipynb", "03_episode_analysis.ipynb", "04_model_export.ipynb"],
        )
        for path in paths:
            notebook = nbformat.read(path, as_version=4)
            nbformat.validate(notebook)
            for cell in notebook.cells:
                if cell.cell_type == "code":
                    self.assertEqual(cell.outputs, [], f"{path}: outputs must be stripped before committing")
                    self.assertIsNone(cell.execution_count, f"{path}: execution counts must be stripped")
            parameters = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
            self.assertEqual(len(parameters), 1, path)
            self.assertIn('JOB_ID = ""', parameters[0].source)
            self.assertIn('CONTINUON_API_URL = ""', parameters[0].source)
            self.assertNotIn("ctt_", "".join(c.source for c in notebook.cells), f"{path}: never put a token in a notebook")


if __name__ == "__main__":
    unittest.main()
