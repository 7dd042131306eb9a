"""Helpers the notebooks share: episode download, RLDS parsing, OTA bundle layout."""
