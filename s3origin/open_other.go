//go:build !unix

package s3origin

import "os"

const openFlags = os.O_RDONLY
