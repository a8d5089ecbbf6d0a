"""Layer 3: the construct core. The priced base class every construct derives from, where a
construct is priced (CDK context, the stack's region), and the one per-stack aspect that
surfaces estimates at synth. It knows constructs only through the ``Priced`` protocol."""
