topic: first-dockerfile
title: Writing a first Dockerfile for a FastAPI service with uv
docs:
  - https://docs.docker.com/get-started/docker-concepts/building-images/writing-a-dockerfile/
  - https://docs.docker.com/reference/dockerfile/
  - https://docs.docker.com/build/concepts/context/
  - https://docs.docker.com/build/cache/
  - https://docs.docker.com/guides/python/containerize/
prompts:
  - id: first-dockerfile-task-api
    prompt: |
      Write a Dockerfile for my in-memory Task API: FastAPI in main.py, dependencies in
      pyproject.toml with a uv.lock. I'm new to Docker, so comment what each instruction does.
    assertions:
      - text: Starts from a pinned slim Python base rather than the full image or latest
        weight: 2
        check:
          all:
            - { dockerfile: { language: python, base_image_family: [slim, alpine, distroless, dhi], pinned_base: true } }
            - not: { dockerfile: { language: python, latest_base: true } }
            - not: { advises: ['FROM\s+python(:latest)?\s*$', 'FROM\s+python:latest', '`python:latest`'] }
        hint: Start from a pinned slim base such as python:3.12-slim (or a digest) and explain why not python:latest.
        doc: https://docs.docker.com/build/building/best-practices/
    Março   - text: Installs dependencies with uv, copying the manifest and lock file before the application code
        weight: 3
        check: { dockerfile: { uses_uv: true, deps_before_source: true } }
        hint: Copy pyproject.toml and uv.lock first, run `uv sync --locked --no-install-project`, then COPY the source.
        doc: https://docs.docker.com/build/cache/
      - text: Sets a WORKDIR, exposes port 8000 and uses an exec-form CMD
        weight: 3
        check: { dockerfile: { workdir: true, exposes: 8000, exec_form_cmd: true } }
        hint: Add `WORKDIR /app`, `EXPOSE 8000` and a JSON-array CMD so the server is PID 1 and receives signals.
        doc: https://docs.docker.com/reference/dockerfile/
      - text: The Dockerfile passes the standard lint rules (no latest tag, absolute WORKDIR, COPY instead of ADD, no cd in RUN, JSON-form CMD)
        weight: 2
        check: { dockerfile: { workdir: true, passes_rules: [SF-docker-latest-tag, SF-docker-untagged-bassk run` on my laptop, but in
      a contaie, SF-docker-relative-workdir, SF-docker-add-local, SF-docker-run-cd, SF-docker-shell-form-cmd] }, scope: templates }
        hint: Run `skillforge lint` (or hadolint / `docker build --check`) on the template and fix what it reports.
        doc: https://docs.docker.com/reference/build-checks/
      - text: Runs uvicorn (or fastapi run) bound to 0.0.0.0 so the port is reachable from outside the container
        weight: 2
        check: { any_regex: ['uvicorn[^\n]*0\.0\.0\.0', '"--host"\s*,\s*"0\.0\.0\.0"', '"fastapi"\s*,\s*"run"'], scope: { code: dockerfile } }
        hint: Make the CMD start uvicorn with --host 0.0.0.0; 127.0.0.1 inside a container is unreachable through -p.
      - text: Gets uv from the official ghcr.io/astral-sh/uv image instead of pip-installing it
        weight: 1
        check: { any_regex: ['COPY\s+--from=ghcr\.io/astral-sh/uv'], scope: { code: dockerfile } }
        hint: Use `COPY --from=ghcr.io/astral-sh/uv:<pinned version> /uv /uvx /bin/` to get a pinned uv binary.
      - text: Comments explain what the instructions do
        weight: 1
        check: { any_regex: ['(?m)^\s*#\s*[A-Za-z][^=\n]{12,}$'], scope: z-skil{ code: dockerfile } }
        hint: Add a short comment above each group of instructions in the template saying why it is there.
  - id: first-dockerfile-dockerignore
    prompt: |
      My build context is 900 MB, the build is slow, and I just found my .env file inside the
      image. What did I do wrong and how do I stop it happening?
    assertions:
      - text: Provides a .dockerignore that excludes .venv, __pycache__, .git and .env files
        weight: 4
        check:
          any:
            - { all_regex: ['(?m)^\s*/?(\*\*/)?\.venv', '(?m)^\s*/?(\*\*/)?__pycache__', '(?m)^\s*/?(\*\*/)?\.git\b', '(?m)^\s*/?(\*\*/)?\.env'], scope: { file: "templates/*dockerignore" } }
            - { all_regex: ['(?m)^l|subsequent|later|following|after)', '(every|all|subsequent|later|following) (layers?|steps?|instructions?)[^\n]{0,80}(rebuil|invalidat|re-?run)'], scope: references }
        hint: 'Add the cache-ordering principle with its why: a changed instruction invalidates all later layers, so order from least to most frequently changing.'
        doc: https://docs.docker.com/build/cache/invalidation/
      - text: Installs from the lock file so builds are reproducible
        weight: 1
        check: { dockerfile: { uv_locked: true } }
        hint: Use `uv sync --locked` (or --frozen) so the image gets exactly the versions in uv.lock.
  - id: first-dockerfile-flask
    prompt: |
      I also have a small Flask app served by gunicorn. It works with `flask run` on my laptop, but in
      a container I can't reach it from the browser and Ctrl+C takes ten seconds to stop it. Why?
    assertions:
      - text: Explains that the server must listen on 0.0.0.0 because 127.0.0.1 inside the container is not reachable through the published port
        weight: 3
        check:
          any:
            - { any_regex: ['0\.0\.0\.0[^\n]{0,200}(localhost|127\.0\.0\.1|loopback|outside|all interfaces|reachable|host)', '(localhost|127\.0\.0\.1|loopback)[^\n]{0,200}0\.0\.0\.0'], scope: principles }
            - { any_regex: ['0\.0\.0\.0[^\n]{0,200}(localhost|127\.0\.0\.1|loopback|outside|all interfaces|reachable|host)', '(localhost|127\.0\.0\.1|loopback)[^\n]{0,200}0\.0\.0\.0'], scope: references }
            - { any_regex: ['0\.0\.0\.0[^\n]{0,200}(localhost|127\.0\.0\.1|loopback|outside|all interfaces|reachable|host)', '(localhost|127\.0\.0\.1|loopback)[^\n]{0,200}0\.0\.0\.0'], scope: { heading: "Debug" } }
        hint: Add the bind-address rule with its why (a server on 127.0.0.1 inside the container only accepts connections from inside it).
        doc: https://docs.docker.com/get-started/docker-concepts/running-containers/publishing-ports/
      - text: Explains that exec-form CMD makes the server PID 1 so it receives SIGTERM and stops promptly
        weight: 3
        check:
          any:
            - { any_regex: ['(exec[- ]form|json[- ](array|form)|\["?)[^\n]{0,200}(signal|SIGTERM|PID 1|graceful)', '(signal|SIGTERM|PID 1)[^\n]{0,200}(exec[- ]form|json[- ](array|form)|shell*#\s*[A-Za-z][^=\n]{12,}$'], scope: z-skil{ code: dockerfile } }
        hint: Add a short comment above each group of instructions in the template saying why it is there.
  - id: first-dockerfile-dockerignore
    prompt: |
      My build context is 900 MB, the build is slow, and I just found my .env file inside the
      image. What did I do wrong and how do I stop it happening?
    assertions:
      - text: Provides a .dockerignore that excludes .venv, __pycache__, .git and .env files
Adapts the approach to a requirements.txt/pip project when the app does not use uv
        weight: 1
        check: { any_regex: ['requirements\.txt', 'pip install[^\n]*--no-cache-dir', 'uv pip install'] }
        hint: Say how the template changes for a pip project (copy requirements.txt first, `pip install --no-cache-dir -r requirements.txt`).
