"""The site's settings, for the test suite.

The suite also runs on PostgreSQL, where the site wants its secrets from the environment; its data
directory is thrown away, so generated secrets will do (worker processes that tests start inherit the
switch). Token logins get a rate no test reaches: many tests log in from one address, and the test
of the limit sets its own.
"""
import os

os.environ.setdefault("LOOPLABEL_GENERATE_SECRETS", "true")

from config.settings import *

LOOPLABEL_TOKEN_LOGIN_RATE = "100000/minute"
