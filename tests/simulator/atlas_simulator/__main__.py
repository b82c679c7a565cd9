"""python -m atlas_simulator --port N --aws-endpoint URL"""

import sys

from atlas_simulator.server import main

sys.exit(main())
