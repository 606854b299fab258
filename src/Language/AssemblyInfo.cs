// The generated ANTLR parser marks its types CLS-compliant; say what the assembly is.
[assembly: System.CLSCompliant(false)]
