# Copyright 2026 The interpret_ddsp Authors.
# Licensed under the Apache License, Version 2.0.
"""What composes the stages for a person.

The whole pipeline in one call (`pipeline`), the demo (`demo`), the
shipped model's release (`pretrained`), the installed stack's checks
(`environment`, `interpret-ddsp doctor`), the listening test (`listening`,
`listen_server`, `answer_store`) and the live instrument (`live`,
`live_inputs`, `live_server`, `static/`).
"""
