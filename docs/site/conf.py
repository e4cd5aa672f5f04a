# Sphinx configuration for the collection's HTML documentation, generated
# pages from antsibull-docs (docs/site/build.sh). Based on what
# `antsibull-docs sphinx-init` writes; intersphinx is off because the build
# must work without internet (references to other collections stay plain).
project = "ffdl.platform"
copyright = "ffdl.platform developers, GPL-3.0-or-later"
title = "ffdl.platform collection documentation"
html_short_title = "ffdl.platform"

extensions = ["sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"

html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
display_version = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = "any"
nitpicky = True
# Without intersphinx, references to ansible-core's and other collections'
# pages cannot resolve; broken references inside this collection still fail.
nitpick_ignore_regex = [
    ("std:ref", r"(?!ansible_collections\.ffdl\.platform\.).*"),
]
