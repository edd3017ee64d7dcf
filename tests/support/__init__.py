"""What the tests share, so that no test module imports another one or a conftest (fixtures stay in
the conftest.py files, which take their helpers from here):

- env: the environment every moto test runs in;
- api: a JSON caller of the app through chalice's test client, the generic request, presigned uploads;
- outbox: the local outbox's messages (links, login codes);
- waiting: polling until a condition holds;
- files: generated documents, and the hostile files inspection must reject;
- workflow: a process's Step Functions execution, stopping what is still running;
- accounts: an account's statuses as the audit trail records them;
- terraform: infra/terraform read without Terraform;
- stack, browser: the local stack in a subprocess and the browser tests' helpers (tests/e2e).
"""
